"""The search app indexes what the content apps register (core.searchindex), and moving
its model out of home changed nothing in an existing database."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core import searchindex
from search.models import SearchEntry
from tests.factories import IssueFactory, PostFactory, ReleaseFactory, ago
from tests.search.helpers import search


@pytest.mark.django_db
def test_the_form_offers_each_registered_kind_in_app_order(client, site):
    html = search(client).content.decode()
    options = [s.filter_label for s in searchindex.searchables()]
    assert options == ["Posts", "Releases", "Newsletter"]
    positions = [html.index(f">{label}</option>") for label in options]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_each_result_says_what_it_is(client, site):
    PostFactory(title="Tracing queues", published_at=ago(days=2))
    ReleaseFactory(summary="Tracing for queues.", published_at=ago(days=2))
    IssueFactory(subtitle="Tracing queues", published_at=ago(days=2))
    html = search(client, q="tracing").content.decode()
    for label in ("Post", "Release", "Newsletter issue"):
        assert f'<p class="kicker">{label}</p>' in html


def test_a_kind_belongs_to_one_model():
    from blog.models import Category

    with pytest.raises(ValueError, match="already registered"):
        searchindex.register(
            Category, kind="post", label="x", filter_label="x", document=lambda obj: None
        )
    assert searchindex.for_kind("post").model.__name__ == "Post"


@pytest.mark.django_db(transaction=True)
def test_migrating_an_existing_database_keeps_its_index_rows():
    """A database from before the move: the rows of home_searchentry (and the model's
    content type, which permissions point at) are still there afterwards."""
    executor = MigrationExecutor(connection)
    before = [("search", None), ("home", "0002_pg_trgm")]
    executor.migrate(before)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO home_searchentry (kind, object_id, title, summary, body, url, "
            "category_ids, status, published_at) VALUES ('post', 41, 'Kept across the move', "
            "'', 'body', '/kept/', '', 'published', '2026-01-02 03:04:05+00:00')"
        )
    ContentType.objects.clear_cache()
    ContentType.objects.filter(app_label="search", model="searchentry").delete()
    old_type = ContentType.objects.get_or_create(app_label="home", model="searchentry")[0]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    entry = SearchEntry.objects.get(kind="post", object_id=41)
    assert (entry.title, entry.url) == ("Kept across the move", "/kept/")
    moved = ContentType.objects.get(pk=old_type.pk)
    assert (moved.app_label, moved.model) == ("search", "searchentry")
