"""Every reader page renders in a fixed number of queries, whatever the amount of content."""

import pytest
from django.contrib.sites.models import Site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.models import Category, Post
from core import versioning
from core.models import Status
from newsletter.models import Issue
from projects.models import Project, Release
from search.index import rebuild_index
from tests.factories import (
    CategoryFactory,
    IssueFactory,
    PostFactory,
    PostUpdateFactory,
    ProjectFactory,
    ReleaseFactory,
    SeriesFactory,
    SubscriberFactory,
    ago,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8


@pytest.fixture
def anchors(site):
    """One item of each kind at a known place, plus what the pages hang off."""
    categories = [CategoryFactory(slug="serverless"), CategoryFactory(slug="databases")]
    project = ProjectFactory(slug="lambda-api")
    series = SeriesFactory(slug="anchor-series")
    anchor = PostFactory(slug="anchor-post", published_at=ago(days=5000), categories=categories,
                         series=series, series_part=1, audio="")  # fmt: skip
    PostUpdateFactory(post=anchor)
    PostFactory(slug="anchor-part-2", published_at=ago(days=4999), series=series, series_part=2)
    ReleaseFactory(project=project, version="0.0.1", published_at=ago(days=5000))
    IssueFactory(number=1, published_at=ago(days=5000))
    SubscriberFactory.create_batch(3)
    # The sites framework caches its record per process: warm it as a running site would.
    Site.objects.get_current()
    return categories, project


def add_content(n: int, start: int, categories, project):
    """n more posts, releases and issues, bulk-inserted (derived columns filled by hand)."""
    published = {"status": Status.PUBLISHED}
    posts = Post.objects.bulk_create(
        Post(title=f"Bulk {i}", slug=f"bulk-{i}", body="b", body_html="<p>b</p>", teaser="b",
             published_at=ago(hours=i), **published)
        for i in range(start, start + n)
    )  # fmt: skip
    Post.categories.through.objects.bulk_create(
        Post.categories.through(post=p, category=c) for p in posts for c in categories
    )
    Release.objects.bulk_create(
        Release(project=project, version=f"2.{i}.0", title=f"v2.{i}.0", summary="s",
                published_at=ago(hours=i, minutes=20), **published)
        for i in range(start, start + n)
    )  # fmt: skip
    Issue.objects.bulk_create(
        Issue(number=100 + i, title=f"Issue {i}", body="b", body_html="<p>b</p>",
              published_at=ago(hours=i, minutes=40), **published)
        for i in range(start, start + n)
    )  # fmt: skip
    Post.objects.filter(slug__startswith="bulk-").update(series=Post.objects.get(
        slug="anchor-post").series)  # fmt: skip
    rebuild_index()  # bulk_create sends no signals


def reader_urls():
    post = Post.objects.get(slug="anchor-post")
    year, month = post.published_at.year, post.published_at.month
    return [
        reverse("home:index"),
        reverse("home:index") + "?page=2",
        post.get_absolute_url(),
        Post.objects.published().order_by("-published_at").first().get_absolute_url(),
        Category.objects.get(slug="serverless").get_absolute_url(),
        reverse("blog:archive"),
        reverse("blog:archive_year", args=[year]),
        reverse("blog:archive_month", args=[year, month]),
        reverse("projects:list"),
        Project.objects.get(slug="lambda-api").get_absolute_url(),
        Release.objects.get(version="0.0.1").get_absolute_url(),
        reverse("newsletter:index"),
        Issue.objects.get(number=1).get_absolute_url(),
        reverse("blog:series_list"),
        reverse("blog:series", args=["anchor-series"]),
        reverse("home:search") + "?q=bulk",
        reverse("home:search") + "?q=bulk&kind=post&category=serverless&page=2",
        reverse("home:search") + "?q=",
        reverse("home:feed"),
        reverse("home:feed_atom"),
        reverse("home:posts_feed"),
        reverse("home:podcast_feed"),
        reverse("home:category_feed", args=["serverless"]),
        reverse("home:series_feed_atom", args=["anchor-series"]),
        reverse("home:project_feed", args=["lambda-api"]),
        reverse("home:newsletter_feed"),
        reverse("home:sitemap"),
    ]


def query_counts(client) -> dict[str, int]:
    """Queries of each page as it renders (page cache off) in the steady state: the content
    version is computed once after a change and then read from the cache."""
    versioning.invalidate()  # bulk_create sends no signals
    versioning.current_version()
    counts = {}
    for url in reader_urls():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    return counts


def test_reader_pages_use_the_same_few_queries_with_5_and_500_items(client, anchors):
    add_content(5, 0, *anchors)
    small = query_counts(client)
    add_content(495, 5, *anchors)
    large = query_counts(client)

    assert large == small
    assert max(small.values()) <= MAX_QUERIES, small
