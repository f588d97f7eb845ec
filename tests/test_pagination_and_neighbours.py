"""Post lists paginate without counting, post pages find their neighbours and related posts
in one query each, and the reader count stays cheap with a long list."""

import datetime

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog import views
from blog.models import Post
from core.models import Status
from core.pagination import CountlessPaginator
from newsletter import views as newsletter_views
from newsletter.models import Subscriber
from tests.factories import (
    CategoryFactory,
    PostFactory,
    PostUpdateFactory,
    SeriesFactory,
    SubscriberFactory,
    ago,
)

pytestmark = pytest.mark.django_db


def sql_of(ctx) -> list[str]:
    return [query["sql"] for query in ctx.captured_queries]


def assert_no_count(ctx):
    counting = [sql for sql in sql_of(ctx) if "COUNT(" in sql.upper()]
    assert not counting, counting


# The paginator on its own


def test_paginator_pages_through_a_list_without_knowing_its_length():
    paginator = CountlessPaginator(list(range(7)), 3)
    assert paginator.count is None
    assert paginator.num_pages is None

    first = paginator.page(1)
    assert list(first) == [0, 1, 2]
    assert first.object_list == [0, 1, 2]
    assert len(first) == 3
    assert first[1] == 1
    assert first[-1] == 2
    assert first.paginator is paginator
    assert first.has_next()
    assert not first.has_previous()
    assert first.has_other_pages()
    assert first.next_page_number() == 2
    assert (first.start_index(), first.end_index()) == (1, 3)
    with pytest.raises(EmptyPage):
        first.previous_page_number()

    last = paginator.page("3")
    assert list(last) == [6]
    assert not last.has_next()
    assert last.has_previous()
    assert last.has_other_pages()
    assert last.previous_page_number() == 2
    assert (last.start_index(), last.end_index()) == (7, 7)
    assert repr(last) == "<Page 3>"
    with pytest.raises(EmptyPage):
        last.next_page_number()


def test_paginator_rejects_pages_past_the_end_and_numbers_that_are_not_pages():
    paginator = CountlessPaginator(list(range(6)), 3)
    assert not paginator.page(2).has_next()  # exactly full: the extra row says "no more"
    for number in (3, 0, -1, 10**30):
        with pytest.raises(EmptyPage):
            paginator.page(number)
    for number in ("x", None, "last", 1.5):
        with pytest.raises(PageNotAnInteger):
            paginator.page(number)
    assert paginator.get_page("x").number == 1
    assert paginator.get_page(99).number == 1


def test_paginator_first_page_of_nothing():
    page = CountlessPaginator([], 3).page(1)
    assert list(page) == []
    assert not page.has_other_pages()
    assert (page.start_index(), page.end_index()) == (0, 0)
    with pytest.raises(EmptyPage):
        CountlessPaginator([], 3, allow_empty_first_page=False).page(1)
    with pytest.raises(ValueError, match="orphans"):
        CountlessPaginator([], 3, orphans=1)


def test_paginator_fetches_one_row_more_than_a_page_in_one_query(site):
    PostFactory.create_batch(5)
    queryset = Post.objects.published().order_by("-published_at", "-pk")
    with CaptureQueriesContext(connection) as ctx:
        page = CountlessPaginator(queryset, 2).page(2)
    assert len(page) == 2
    assert page.has_next()
    (sql,) = sql_of(ctx)
    assert "COUNT(" not in sql.upper()
    assert "LIMIT 3 OFFSET 2" in sql


# Category and archive pages


@pytest.fixture
def category_posts(site, monkeypatch):
    """Seven posts in a category, three to a page: pages of 3, 3 and 1."""
    monkeypatch.setattr(views.CategoryView, "paginate_by", 3)
    monkeypatch.setattr(views.ArchiveView, "paginate_by", 3)
    category = CategoryFactory(slug="databases", name="Databases")
    posts = [PostFactory(published_at=ago(days=day), categories=[category]) for day in range(7)]
    PostFactory(title="Draft in category", status=Status.DRAFT, categories=[category])
    return category, posts  # newest first


def test_category_pages_page_through_every_post_without_counting(client, category_posts):
    category, posts = category_posts
    url = category.get_absolute_url()
    client.get(url)  # the content version (a count of its own) is computed once, then cached
    seen = []
    for number, expected_next in ((1, True), (2, True), (3, False)):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page": number} if number > 1 else {})
        assert response.status_code == 200
        assert_no_count(ctx)
        page = response.context["page_obj"]
        assert page.number == number
        assert page.has_next() is expected_next
        assert response.context["is_paginated"]
        seen.extend(response.context["posts"])
        html = response.content.decode()
        assert ("Older posts" in html) is expected_next
        assert ("Newer posts" in html) is (number > 1)
        assert f"Page {number}" in html
        assert "of None" not in html
    assert seen == posts


def test_category_page_past_the_end_or_last_is_a_404(client, category_posts):
    category, _ = category_posts
    url = category.get_absolute_url()
    for page in ("4", "40", "last", "0", "-1", "x", str(10**30)):
        assert client.get(url, {"page": page}).status_code == 404, page


def test_category_with_fewer_posts_than_a_page_has_no_pagination(client, site):
    category = CategoryFactory(slug="solo")
    post = PostFactory(categories=[category])
    response = client.get(category.get_absolute_url())
    assert list(response.context["posts"]) == [post]
    assert not response.context["is_paginated"]
    assert "Older posts" not in response.content.decode()
    empty = CategoryFactory(slug="empty")
    assert client.get(empty.get_absolute_url()).status_code == 200
    assert client.get(empty.get_absolute_url(), {"page": 2}).status_code == 404


def test_archive_pages_without_counting(client, category_posts):
    _, posts = category_posts
    client.get(reverse("blog:archive"))  # computes and caches the content version
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("blog:archive"), {"page": 3})
    assert response.status_code == 200
    assert_no_count(ctx)
    assert list(response.context["posts"]) == posts[6:]
    assert [year.year for year in response.context["archive_years"]] == sorted(
        {post.published_at.year for post in posts}, reverse=True
    )
    assert client.get(reverse("blog:archive"), {"page": 4}).status_code == 404
    year = posts[0].published_at.year
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("blog:archive_year", args=[year]))
    assert response.status_code == 200
    assert_no_count(ctx)


# Previous and next posts


@pytest.fixture
def timeline(site):
    oldest = PostFactory(title="Oldest", published_at=ago(days=30))
    PostFactory(title="Draft", status=Status.DRAFT, published_at=ago(days=25))
    middle = PostFactory(title="Middle", published_at=ago(days=20))
    newest = PostFactory(title="Newest", published_at=ago(days=10))
    PostFactory(title="Scheduled", published_at=timezone.now() + datetime.timedelta(days=1))
    return oldest, middle, newest


def neighbours(post, site, *, preview=False):
    """The previous and next posts of `post` as its page gets them, and the queries spent."""
    with CaptureQueriesContext(connection) as ctx:
        post = views.detail_queryset(Post.objects.all()).prefetch_related(None).get(pk=post.pk)
    context = views.post_page_context(post, site, preview=preview)
    return (context["previous_post"], context["next_post"]), len(ctx.captured_queries)


def test_neighbours_come_with_the_post_row_and_skip_drafts_and_scheduled(site, timeline):
    oldest, middle, newest = timeline
    (previous, following), queries = neighbours(middle, site)
    assert queries == 1
    assert (previous, following) == (oldest, newest)
    assert (previous.title, previous.get_absolute_url()) == ("Oldest", oldest.get_absolute_url())
    assert (following.title, following.slug) == ("Newest", newest.slug)


def test_neighbours_at_the_ends(client, site, timeline):
    oldest, middle, newest = timeline
    assert neighbours(oldest, site)[0] == (None, middle)
    assert neighbours(newest, site)[0] == (middle, None)
    response = client.get(newest.get_absolute_url())
    assert response.context["previous_post"] == middle
    assert response.context["next_post"] is None
    assert f'rel="prev" href="{middle.get_absolute_url()}"' in response.content.decode()


def test_only_post_has_no_neighbours(site):
    assert neighbours(PostFactory(), site)[0] == (None, None)


def test_preview_has_no_neighbours(site, timeline):
    _, middle, _ = timeline
    assert neighbours(middle, site, preview=True)[0] == (None, None)


def test_post_page_in_a_series_needs_six_queries_at_most(client, site):
    categories = [CategoryFactory(), CategoryFactory()]
    series = SeriesFactory()
    PostFactory(published_at=ago(days=9), categories=categories, series=series, series_part=1)
    post = PostFactory(published_at=ago(days=5), categories=categories, series=series,
                       series_part=2)  # fmt: skip
    PostUpdateFactory(post=post)
    PostFactory(published_at=ago(days=1), categories=categories[:1])
    client.get(post.get_absolute_url())  # the content version is computed once, then cached
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 6, sql_of(ctx)
    assert not any('"blog_post"."body",' in sql for sql in sql_of(ctx))  # body_html suffices


# Related posts


def test_related_posts_rank_by_shared_categories_then_newest(site):
    a, b, c = CategoryFactory(), CategoryFactory(), CategoryFactory()
    post = PostFactory(categories=[a, b, c])
    two_old = PostFactory(categories=[a, b], published_at=ago(days=50))
    three = PostFactory(categories=[a, b, c], published_at=ago(days=60))
    two_new = PostFactory(categories=[b, c], published_at=ago(days=40))
    PostFactory(categories=[a], published_at=ago(days=1))
    PostFactory(categories=[a, b, c], status=Status.DRAFT)
    PostFactory(categories=[a, b, c], published_at=timezone.now() + datetime.timedelta(days=1))

    post = Post.objects.prefetch_related("categories").get(pk=post.pk)
    with CaptureQueriesContext(connection) as ctx:
        related = views.related_posts(post)
    assert len(ctx.captured_queries) == 1
    assert related == [three, two_new, two_old]
    assert related[0].title == three.title
    assert related[0].reading_minutes >= 1


def test_related_posts_in_one_category_are_the_newest_others(site):
    a = CategoryFactory()
    post = PostFactory(categories=[a], published_at=ago(days=3))
    others = [PostFactory(categories=[a], published_at=ago(days=day)) for day in (10, 1, 5, 20)]
    PostFactory(categories=[CategoryFactory()], published_at=ago(hours=1))
    post = Post.objects.prefetch_related("categories").get(pk=post.pk)
    with CaptureQueriesContext(connection) as ctx:
        related = views.related_posts(post)
    assert len(ctx.captured_queries) == 1
    assert related == [others[1], others[2], others[0]]
    assert post not in related


def test_related_posts_without_categories_or_matches(site):
    lonely = PostFactory()
    assert views.related_posts(Post.objects.prefetch_related("categories").get(pk=lonely.pk)) == []
    only_one = PostFactory(categories=[CategoryFactory()])
    post = Post.objects.prefetch_related("categories").get(pk=only_one.pk)
    assert views.related_posts(post) == []


def test_related_posts_only_consider_the_newest_candidates(site, monkeypatch):
    monkeypatch.setattr(views, "RELATED_CANDIDATES", 2)
    a, b = CategoryFactory(), CategoryFactory()
    post = PostFactory(categories=[a, b])
    PostFactory(categories=[a, b], published_at=ago(days=300))  # shares more, but too old
    newer = [PostFactory(categories=[a], published_at=ago(days=day)) for day in (2, 1)]
    post = Post.objects.prefetch_related("categories").get(pk=post.pk)
    assert views.related_posts(post) == [newer[1], newer[0]]


# The reader count in signup boxes


def test_reader_count_is_exact_below_the_threshold_in_one_query_each_time(site):
    SubscriberFactory.create_batch(4)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    for expected in (4, 5):
        with CaptureQueriesContext(connection) as ctx:
            assert newsletter_views.active_reader_count() == expected
        assert len(ctx.captured_queries) == 1
        SubscriberFactory()


def test_reader_count_above_the_threshold_is_reused_and_checked_cheaply(site, monkeypatch):
    monkeypatch.setattr(newsletter_views, "READER_COUNT_EXACT_BELOW", 5)
    subscribers = SubscriberFactory.create_batch(7)

    with CaptureQueriesContext(connection) as ctx:
        assert newsletter_views.active_reader_count() == 7
    (full,) = sql_of(ctx)
    assert "LIMIT" not in full

    SubscriberFactory()  # within the few cached minutes, a rounded count may lag
    with CaptureQueriesContext(connection) as ctx:
        assert newsletter_views.active_reader_count() == 7
    (capped,) = sql_of(ctx)
    assert "LIMIT 5" in capped
    assert "ORDER BY" not in capped

    for subscriber in subscribers[:4]:  # down to 4: below the threshold, exact at once
        subscriber.unsubscribe()
    assert newsletter_views.active_reader_count() == 4
    SubscriberFactory()
    assert newsletter_views.active_reader_count() == 5
