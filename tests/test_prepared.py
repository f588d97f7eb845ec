"""core.prepared: a queryset compiled once, run again with new values."""

import datetime

import pytest
from django.utils import timezone

from blog.models import Post
from core.prepared import PreparedQuery
from tests.factories import CategoryFactory, PostFactory, ago

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
