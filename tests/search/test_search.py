"""/search/: posts, releases and issues; websearch syntax; filters; friendly on any input.

The behaviour tests run on both databases (full-text search on PostgreSQL, the icontains
fallback on SQLite); the ones about ranking by weights, stemming, ts_headline and the GIN
index run on PostgreSQL only.
"""

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Status
from search.models import SearchEntry
from search.query import parse_query
from tests.factories import PostFactory, ago
from tests.search.helpers import found, postgres_only, search

pytestmark = pytest.mark.django_db


def test_finds_posts_releases_and_issues_but_never_drafts_or_scheduled(client, corpus):
    titles = found(client, "connection")
    assert set(titles) == {"Connection pooling for functions", "Lambda Router v0.10.0 released"}
    assert "pooling <mark>checklist</mark>" in search(client, q="checklist").content.decode()
    assert found(client, "checklist") == ["Warm Start: Issue #3"]
    assert "Secret connection draft" not in search(client, q="secret").content.decode()


def test_a_scheduled_post_is_found_from_its_publication_time(client, corpus):
    assert "Scheduled connection post" not in found(client, "scheduled")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert found(client, "scheduled") == ["Scheduled connection post"]


def test_title_match_outranks_body_match(client, site):
    PostFactory(title="Notes on retries", body="Idempotency keys make retries safe.\n",
                published_at=ago(days=1))  # fmt: skip
    PostFactory(title="Idempotency keys", body="What they are.\n", published_at=ago(days=30))
    assert found(client, "idempotency") == ["Idempotency keys", "Notes on retries"]


def test_quoted_phrase_exclusion_and_or(client, corpus):
    assert found(client, '"connection pool"') == ["Connection pooling for functions"]
    assert found(client, "connection -pgbouncer") == ["Lambda Router v0.10.0 released"]
    assert set(found(client, "pgbouncer or streaming")) == {
        "Connection pooling for functions",
        "Lambda Router v0.10.0 released",
    }
    assert found(client, '"pool connection"') == []


def test_filters_by_kind_and_category(client, corpus):
    assert found(client, "connection", kind="release") == ["Lambda Router v0.10.0 released"]
    assert found(client, "connection", kind="post") == ["Connection pooling for functions"]
    assert found(client, "function", category="databases") == ["Connection pooling for functions"]
    assert set(found(client, "function", category="serverless")) == {
        "Connection pooling for functions",
        "Cold starts are a budget",
    }
    # An unknown kind or category is ignored rather than an error.
    assert found(client, "budget", kind="nonsense", category="nope") == ["Cold starts are a budget"]


def test_snippets_highlight_the_match_and_escape_the_rest(client, site):
    body = "Some text before. The word needle sits here & <i>then</i> more.\n"
    PostFactory(title="Escaping <b>bold</b> & friends", body=body)
    html = search(client, q="needle").content.decode()
    assert "<mark>needle</mark>" in html
    assert "<b>bold</b>" not in html.split('class="search-results"')[1]
    assert "Escaping &lt;b&gt;bold&lt;/b&gt; &amp; friends" in html


def test_results_are_paginated_and_links_keep_the_query(client, site):
    for n in range(23):
        PostFactory(title=f"Tuning lambda {n}", published_at=ago(hours=n + 1))
    response = search(client, q="lambda", kind="post")
    assert response.context["page_obj"].paginator.count == 23
    html = response.content.decode()
    assert "23 results, page 1 of 3" in html
    assert 'href="?q=lambda&amp;kind=post&amp;page=2"' in html
    response = search(client, q="lambda", kind="post", page=3)
    assert len(response.context["results"]) == 3
    assert 'href="?q=lambda&amp;kind=post&amp;page=2"' in response.content.decode()
    # Out-of-range or nonsense page numbers show a page of results, not an error.
    assert search(client, q="lambda", page=99).context["page_obj"].number == 3
    assert search(client, q="lambda", page="x").context["page_obj"].number == 1


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "the",
        "!!!",
        '"',
        '""',
        "-",
        "-connection",
        "or",
        "a or or b",
        "(connection",
        "connection:*",
        "x" * 5000,
        "日本語 検索",
        "'; DROP TABLE blog_post; --",
        "<script>alert(1)</script>",
        "%",
        "_",
    ],
)
def test_any_query_gives_a_friendly_page(client, corpus, q):
    response = search(client, q=q)
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "Search" in html


def test_a_nul_character_in_the_query_is_a_clear_400(client, corpus):
    # core.middleware.RejectNulMiddleware answers before the view: no URL has a NUL.
    response = client.get(reverse("home:search"), {"q": "con\x00nection"})
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_empty_query_shows_the_form_and_no_results(client, corpus):
    response = search(client, q="")
    assert response.context["results"] is None
    html = response.content.decode()
    assert "Type a few words" in html
    assert 'name="robots" content="noindex, follow"' in html


def test_nothing_found_says_so(client, corpus):
    html = search(client, q="xylophone").content.decode()
    assert "Nothing found" in html
    assert "xylophone" in html


def test_header_search_box_on_every_page(client, corpus):
    for url in ("/", "/archive/", corpus["budget"].get_absolute_url(), "/newsletter/"):
        html = client.get(url).content.decode()
        assert 'role="search"' in html
        assert 'action="/search/"' in html
        assert 'name="q"' in html


def test_index_follows_saves_renames_category_changes_and_deletes(client, corpus):
    post = corpus["budget"]
    post.title = "Warm starts are a budget"
    post.slug = "warm-starts"
    post.save()
    entry = SearchEntry.objects.get(kind="post", object_id=post.pk)
    assert (entry.title, entry.url) == ("Warm starts are a budget", "/posts/warm-starts/")

    post.categories.add(corpus["databases"])
    assert found(client, "budget", category="databases") == ["Warm starts are a budget"]
    post.categories.clear()
    assert found(client, "budget", category="serverless") == []
    corpus["databases"].posts.add(post)
    assert found(client, "budget", category="databases") == ["Warm starts are a budget"]

    project = corpus["release"].project
    project.slug = "router"
    project.save()
    assert SearchEntry.objects.get(kind="release").url == "/projects/router/releases/0.10.0/"

    post.status = Status.DRAFT
    post.save()
    assert found(client, "budget") == []
    corpus["issue"].delete()
    assert not SearchEntry.objects.filter(kind="issue").exists()


def test_rebuild_search_index_command(corpus):
    SearchEntry.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Indexed 4 posts, 1 releases, 1 issues" in out.getvalue()
    assert SearchEntry.objects.count() == 6
    entry = SearchEntry.objects.get(object_id=corpus["pooling"].pk, kind="post")
    assert entry.category_ids == f",{corpus['databases'].pk},{corpus['serverless'].pk},"
    if connection.vendor == "postgresql":
        assert not SearchEntry.objects.filter(search_vector=None).exists()


def test_websearch_parser_for_the_sqlite_fallback():
    parsed = parse_query('"cold start" lambda or gcp -azure -"big bill" ,go,')
    assert parsed.groups == [["cold start"], ["lambda", "gcp"], ["go"]]
    assert parsed.excluded == ["azure", "big bill"]
    assert parse_query("or or").groups == []


@postgres_only
def test_postgres_stems_words_and_weights_title_over_summary_over_body(client, site):
    body = PostFactory(title="Notes", body="Intro.\n\nWe were optimizing queries.\n",
                       published_at=ago(days=1))  # fmt: skip
    summary = PostFactory(title="Other notes", excerpt="An optimized plan.", body="Plans.\n",
                          published_at=ago(days=2))  # fmt: skip
    title = PostFactory(title="Optimizations", body="Plans.\n", published_at=ago(days=3))
    results = search(client, q="optimize").context["results"]
    assert [r.entry.object_id for r in results] == [title.pk, summary.pk, body.pk]
    assert [r.entry.rank for r in results] == sorted((r.entry.rank for r in results), reverse=True)


@postgres_only
def test_postgres_headline_marks_stemmed_matches(client, site):
    PostFactory(
        title="Pools", body="Before. " * 40 + "Connections are pooled here. " + "After. " * 40
    )
    result = search(client, q="pooling").context["results"][0]
    assert "<mark>pooled</mark>" in result.snippet_html
    assert "<mark>Pools</mark>" in result.title_html
    assert "\ue000" not in result.snippet_html


@postgres_only
def test_postgres_search_uses_the_gin_indexed_vector(client, corpus):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'home_searchentry' "
            "AND indexname = 'search_vector_gin'"
        )
        assert "USING gin (search_vector)" in cursor.fetchone()[0]
    with CaptureQueriesContext(connection) as ctx:
        search(client, q="connection")
    sql = " ".join(query["sql"] for query in ctx.captured_queries)
    assert "websearch_to_tsquery" in sql
    assert re.search(r'"search_vector" @@ \(?websearch_to_tsquery', sql), sql
    assert "ts_headline" in sql
    assert "ts_rank" in sql
