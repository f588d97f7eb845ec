"""Warm after a change (core.warming): after a publish the worker renders the home page,
the post, its category and series pages, the feeds and the sitemap into the page cache, so
the first anonymous readers get hits; a burst of edits warms once; a scheduled post's
pages are warmed when its time comes. The real worker and page cache."""

import datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import warming
from stats.models import DailyPath
from stats.recorder import recorder
from tests.factories import CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db

GZIP = "gzip, deflate, br"


@pytest.fixture
def caching(settings, site):
    settings.PAGE_CACHE_SECONDS = 600
    site.email_new_posts = False
    site.save()
    return site


def reader(client, path, encoding=GZIP):
    host = urlsplit(settings.SITE_URL).netloc
    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0"
    return client.get(path, HTTP_HOST=host, HTTP_ACCEPT_ENCODING=encoding, HTTP_USER_AGENT=agent)


def warm_tasks():
    return DBTaskResult.objects.filter(task_path="core.tasks.warm_pages")


def later(seconds):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)


def test_after_a_publish_the_first_readers_get_cache_hits(
    client, caching, run_worker, django_capture_on_commit_callbacks
):
    category = CategoryFactory(name="Serverless", slug="serverless")
    with django_capture_on_commit_callbacks(execute=True):
        post = PostFactory(title="Fresh", slug="fresh", published_at=timezone.now())
        post.categories.set([category])
        post.save()  # as the admin does: the post, then its categories, in one transaction
    with later(5):
        run_worker()
        for path in ("/", post.get_absolute_url(), category.get_absolute_url(), "/feed/"):
            assert reader(client, path)["X-Cache"] == "hit", path
            assert reader(client, path, encoding="")["X-Cache"] == "hit", path
    # The warm-up's own requests are not counted as views: these are the two above.
    recorder.flush()
    assert DailyPath.objects.get(path="/").views == 2


def test_a_burst_of_edits_warms_once(caching, django_capture_on_commit_callbacks):
    post = PostFactory(slug="burst", published_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            post.title = f"Edit {n}"
            post.save()
    assert warm_tasks().count() == 1


def test_a_scheduled_post_is_warmed_when_its_time_comes(
    client, caching, run_worker, django_capture_on_commit_callbacks
):
    when = timezone.now() + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        post = PostFactory(title="Tomorrow's news", slug="tomorrow", published_at=when)
    assert warm_tasks().filter(run_after__gte=when).count() == 1
    with later(5):
        run_worker()  # the immediate warm-up: the post is not out yet
    with later(3601 + 1):
        run_worker()
        response = reader(client, "/")
        assert response["X-Cache"] == "hit", warm_tasks().values_list("status", "run_after")
        assert reader(client, post.get_absolute_url())["X-Cache"] == "hit"


def test_nothing_is_warmed_without_a_page_cache(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        PostFactory(slug="uncached", published_at=timezone.now())
    assert not warm_tasks().exists()
    assert warming.PENDING
