"""core.prepared: a queryset compiled once, run again with new values."""

import datetime

import pytest
from django.utils import timezone

from blog.models import Post
from blog.views import post_page_context, published_post_for_page
from core.models import SiteSettings
from core.prepared import PreparedQuery
from home.timeline import timeline_page
from tests.factories import (
    CategoryFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
    SeriesFactory,
    ago,
)

pytestmark = pytest.mark.django_db


def test_values_replace_the_marks_and_compilation_happens_once_per_shape():
    builds = []

    def build(now, category_ids, *, shape):
        builds.append(shape)
        return (
            Post.objects.published(now=now)
            .filter(categories__in=category_ids)
            .order_by("-published_at")
            .values_list("title", flat=True)[:shape]
        )

    query = PreparedQuery(build, datetime.datetime, list)
    a, b = CategoryFactory(), CategoryFactory()
    PostFactory(title="Old in a", categories=[a], published_at=ago(days=3))
    PostFactory(title="New in b", categories=[b], published_at=ago(days=1))
    PostFactory(
        title="Later in a", categories=[a], published_at=timezone.now() + datetime.timedelta(days=2)
    )

    def titles(now, ids, limit=10):
        return [row[0] for row in query.rows(now, ids, shape=limit)]

    assert titles(timezone.now(), [a.pk]) == ["Old in a"]
    assert titles(timezone.now(), [b.pk]) == ["New in b"]
    assert titles(timezone.now() + datetime.timedelta(days=3), [a.pk]) == ["Later in a", "Old in a"]
    assert builds == [10]  # one list length, one shape: compiled once
    assert titles(timezone.now(), [a.pk, b.pk]) == ["New in b", "Old in a"]
    assert titles(timezone.now(), [a.pk, b.pk], limit=1) == ["New in b"]
    assert builds == [10, 10, 1]


def test_model_instances_come_back_through_raw_with_converted_fields():
    post = PostFactory(title="Raw", published_at=ago(days=1))
    query = PreparedQuery(lambda pk: Post.objects.filter(pk=pk).only("title", "published_at"), int)
    (found,) = query.objects(Post, post.pk)
    assert (found.pk, found.title) == (post.pk, "Raw")
    assert isinstance(found.published_at, datetime.datetime)
    assert found.published_at == Post.objects.get(pk=post.pk).published_at


def test_an_argument_that_is_not_a_parameter_is_refused():
    query = PreparedQuery(lambda limit: Post.objects.all()[:3], int)
    with pytest.raises(ValueError, match="did not reach the SQL"):
        query.sql(3)


# Instances rebuilt from a few columns (a JSON object in the post's row, a values row) load
# only those; a field nobody loaded is read from the database (one query, which the exact
# counts of tests/test_query_budget.py catch), never made up from the field's default.


def _post_page(slug):
    post = published_post_for_page(slug)
    return post, post_page_context(post, SiteSettings.get_solo())


def test_a_neighbour_or_the_series_reads_an_unloaded_field_from_the_database(
    django_assert_num_queries,
):
    series = SeriesFactory(description="Parts that belong together.")
    PostFactory(excerpt="The older post's excerpt", published_at=ago(days=2))
    post = PostFactory(published_at=ago(days=1), series=series)
    _, context = _post_page(post.slug)
    previous, part_of = context["previous_post"], context["series"]
    older = Post.objects.get(excerpt="The older post's excerpt")
    assert (previous.pk, previous.title, previous.slug) == (older.pk, older.title, older.slug)
    with django_assert_num_queries(1):
        assert previous.excerpt == "The older post's excerpt"
    with django_assert_num_queries(1):
        assert part_of.description == "Parts that belong together."
    assert previous.get_deferred_fields() >= {"body_html", "published_at"}


def test_card_categories_and_a_release_project_read_unloaded_fields_from_the_database(
    django_assert_num_queries,
):
    category = CategoryFactory(description="About databases.")
    PostFactory(categories=[category], published_at=ago(days=1))
    ReleaseFactory(project=ProjectFactory(tagline="Small and fast"), published_at=ago(days=2))
    items = timeline_page(1, 10).items
    (card,) = [obj for kind, obj in items if kind == "post"]
    (release,) = [obj for kind, obj in items if kind == "release"]
    (loaded,) = card.category_list
    assert (loaded.pk, loaded.name, loaded.slug) == (category.pk, category.name, category.slug)
    with django_assert_num_queries(1):
        assert loaded.description == "About databases."
    with django_assert_num_queries(1):
        assert release.project.tagline == "Small and fast"
    assert not release.project._state.adding  # a saved row, not a new, unsaved project


def test_a_partial_instance_takes_its_values_in_any_order():
    from core.partial import partial_instance

    post = partial_instance(Post, {"title": "A title", "slug": "a-slug", "id": 7})
    assert (post.pk, post.title, post.slug) == (7, "A title", "a-slug")
    with pytest.raises(ValueError, match="no field colour"):
        partial_instance(Post, {"id": 7, "colour": "red"})
