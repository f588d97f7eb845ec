"""'Did you mean …' for searches that find nothing: PostgreSQL (pg_trgm) only; SQLite keeps
its plain "Nothing found"."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import IssueFactory, PostFactory, ago
from tests.search.helpers import postgres_only, search

pytestmark = pytest.mark.django_db


def suggestion_of(client, **params) -> str:
    html = search(client, **params).content.decode()
    assert "Nothing found" in html
    if 'class="did-you-mean"' not in html:
        return ""
    return html.split('<p class="did-you-mean">')[1].split("</p>")[0]


@pytest.fixture
def explain(corpus):
    return PostFactory(
        title="Reading EXPLAIN plans without fear",
        excerpt="What the planner tells you.",
        published_at=ago(days=3),
    )


@postgres_only
def test_a_misspelt_word_gets_the_closest_word_as_a_link(client, corpus):
    offer = suggestion_of(client, q="lamda")
    assert offer == 'Did you mean <a href="?q=lambda">lambda</a>?'
    assert (
        "<mark>Lambda</mark> Router v0.10.0 released" in search(client, q="lambda").content.decode()
    )


@postgres_only
def test_only_the_misspelt_words_change_and_filters_are_kept(client, explain):
    offer = suggestion_of(client, q="explian plans", kind="post")
    assert offer == 'Did you mean <a href="?q=explain+plans&amp;kind=post">explain plans</a>?'
    found = search(client, q="explain plans", kind="post").content.decode()
    assert "Reading <mark>EXPLAIN</mark> <mark>plans</mark> without fear" in found


@postgres_only
def test_a_correction_that_would_find_nothing_is_not_offered(client, corpus):
    # "lambda" is only in a release's title: among newsletter issues it finds nothing.
    assert suggestion_of(client, q="lamda", kind="issue") == ""


@postgres_only
def test_close_titles_are_offered_when_no_word_is_misspelt(client, site):
    issue = IssueFactory(title="Retries without tears", published_at=ago(days=1))
    post = PostFactory(title="Retry budgets", published_at=ago(days=2))
    # Both words exist, but no item has both: the nearest titles are offered instead.
    assert suggestion_of(client, q="tears budgets") == (
        f'Did you mean <a href="{post.get_absolute_url()}">Retry budgets</a> or '
        f'<a href="{issue.get_absolute_url()}">Retries without tears</a>?'
    )


@postgres_only
@pytest.mark.parametrize("q", ["xylophone", "zzzq", "12345", "'; DROP TABLE x; --", "%", "日本語"])
def test_nothing_close_offers_nothing(client, corpus, q):
    assert suggestion_of(client, q=q) == ""


@postgres_only
def test_drafts_never_leak_into_suggestions(client, corpus):
    # corpus holds "Secret connection draft"; its words are not in the vocabulary.
    assert "secret" not in suggestion_of(client, q="secrit").lower()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's plain behaviour")
def test_sqlite_just_says_nothing_found(client, corpus):
    assert suggestion_of(client, q="lamda") == ""
    assert reverse("home:search")
