"""Series, update notes, related posts, reading time and previous/next on post pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.views import related_posts
from core.models import Status
from tests.factories import CategoryFactory, PostFactory, PostUpdateFactory, SeriesFactory, ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(site):
    series = SeriesFactory(title="Serverless in production", slug="in-production",
                           description="Read in **order**.")  # fmt: skip
    parts = [
        PostFactory(title="Part C", series=series, series_part=3, published_at=ago(days=1)),
        PostFactory(title="Part A", series=series, series_part=1, published_at=ago(days=9)),
        PostFactory(title="Part B", series=series, series_part=2, published_at=ago(days=5)),
        PostFactory(title="Part D (draft)", series=series, series_part=4, status=Status.DRAFT),
    ]
    return series, parts


def test_every_post_in_a_series_lists_all_parts_in_order(client, series):
    _, (c, a, b, _draft) = series
    for number, post in enumerate((a, b, c), 1):
        response = client.get(post.get_absolute_url())
        html = response.content.decode()
        assert f"Part {number} of 3" in html
        assert f"part {number} of 3 in the series" in html
        assert [p.title for p in response.context["series_posts"]] == ["Part A", "Part B", "Part C"]
        assert f'<span aria-current="page">{post.title}</span>' in html
        for other in {a, b, c} - {post}:
            assert f'href="{other.get_absolute_url()}"' in html
        assert "Part D (draft)" not in html


def test_series_page_and_list(client, series):
    html = client.get("/series/in-production/").content.decode()
    assert "<strong>order</strong>" in html
    assert html.index("Part A") < html.index("Part B") < html.index("Part C")
    assert "Part D" not in html
    assert "3 parts" in html
    listing = client.get("/series/").content.decode()
    assert 'href="/series/in-production/"' in listing
    assert client.get("/series/nope/").status_code == 404


def test_update_notes_show_at_the_top_newest_first_without_moving_publication(client, site):
    post = PostFactory(title="Pools", published_at=ago(days=30), body="The body.")
    published = post.published_at
    PostUpdateFactory(post=post, date=datetime.datetime(2026, 9, 2, 10, tzinfo=datetime.UTC),
                      note="First *update*.")  # fmt: skip
    PostUpdateFactory(post=post, date=datetime.datetime(2026, 10, 5, 10, tzinfo=datetime.UTC),
                      note="Second update.")  # fmt: skip

    html = client.get(post.get_absolute_url()).content.decode()
    assert html.index("Update, <time") < html.index("<p>The body.</p>")
    assert html.index("5 October 2026") < html.index("2 September 2026")
    assert "First <em>update</em>." in html
    assert "updated <time" in html
    post.refresh_from_db()
    assert post.published_at == published


def test_reading_time(client, site):
    post = PostFactory(body="word " * 1200)
    assert "5 min read" in client.get(post.get_absolute_url()).content.decode()


def test_related_posts_share_the_most_categories_in_one_query(client, site):
    a, b, c = (CategoryFactory() for _ in range(3))
    post = PostFactory(title="Subject", categories=[a, b, c])
    three = PostFactory(title="Shares three", categories=[a, b, c], published_at=ago(days=50))
    two = PostFactory(title="Shares two", categories=[a, b], published_at=ago(days=40))
    PostFactory(title="Shares one, old", categories=[c], published_at=ago(days=60))
    one_new = PostFactory(title="Shares one, new", categories=[a], published_at=ago(days=2))
    PostFactory(title="Unrelated", categories=[CategoryFactory()])
    PostFactory(title="Draft sharing all", categories=[a, b, c], status=Status.DRAFT)

    post = type(post).objects.prefetch_related("categories").get(pk=post.pk)
    with CaptureQueriesContext(connection) as ctx:
        related = related_posts(post)
    assert len(ctx.captured_queries) == 1
    assert related == [three, two, one_new]

    html = client.get(post.get_absolute_url()).content.decode()
    section = html.split('<section class="related"')[1].split("</section>")[0]
    assert section.index("Shares three") < section.index("Shares two")
    assert "Draft sharing all" not in section
    assert "Unrelated" not in section


def test_previous_and_next_skip_drafts_and_scheduled(client, site):
    old = PostFactory(title="Old", published_at=ago(days=10))
    PostFactory(title="Draft between", status=Status.DRAFT, published_at=ago(days=7))
    middle = PostFactory(title="Middle", published_at=ago(days=5))
    PostFactory(title="Future", published_at=timezone.now() + datetime.timedelta(days=1))
    response = client.get(middle.get_absolute_url())
    assert response.context["previous_post"] == old
    assert response.context["next_post"] is None
    html = response.content.decode()
    assert 'rel="prev" href="/posts/' in html
    assert "Old</a>" in html
