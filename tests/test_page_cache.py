"""The page cache: exact invalidation, never for staff or previews, 304 on revalidation."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import SiteSettings, Status
from tests.factories import CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    response.queries = len(queries.captured_queries)
    return response


def test_second_anonymous_request_is_served_from_the_cache_without_queries(client, site):
    post = PostFactory(title="Cached post")
    for url in ("/", post.get_absolute_url(), "/feed/", "/sitemap.xml", "/archive/"):
        first = get(client, url)
        assert first["X-Cache"] == "miss", url
        second = get(client, url)
        assert second["X-Cache"] == "hit", url
        assert second.queries == 0, url
        assert second.content == first.content
        assert second["Content-Length"] == str(len(first.content))  # not sent in chunks
        assert second["Content-Type"] == first["Content-Type"]
        assert "s-maxage=60" in second["Cache-Control"]
        assert "max-age=0" in second["Cache-Control"]


def test_revalidation_from_the_cache_answers_304(client, site):
    PostFactory()
    etag = get(client, "/")["ETag"]
    response = get(client, "/", if_none_match=etag)
    assert response.status_code == 304
    assert response.queries == 0
    assert response["ETag"] == etag


def test_a_published_edit_shows_on_the_next_request_everywhere(client, site):
    category = CategoryFactory(slug="serverless")
    post = PostFactory(title="Before the edit", categories=[category])
    urls = ["/", post.get_absolute_url(), category.get_absolute_url(), "/feed/", "/archive/"]
    for url in urls:
        get(client, url)
    post.title = "After the edit"
    post.save()
    for url in urls:
        response = get(client, url)
        assert response["X-Cache"] == "miss", url
        assert "After the edit" in response.content.decode(), url


def test_a_scheduled_post_appears_when_its_time_arrives(client, site):
    PostFactory(title="Already out")
    later = timezone.now() + datetime.timedelta(hours=1)
    PostFactory(title="Comes out later", published_at=later)
    assert "Comes out later" not in get(client, "/").content.decode()
    assert get(client, "/")["X-Cache"] == "hit"
    with time_machine.travel(later + datetime.timedelta(minutes=1)):
        response = get(client, "/")
    assert response["X-Cache"] == "miss"
    assert "Comes out later" in response.content.decode()


def test_a_changed_site_setting_shows_on_the_next_request(client, site):
    PostFactory()
    get(client, "/")
    settings_record = SiteSettings.get_solo()
    settings_record.tagline = "A brand new tagline"
    settings_record.save()
    assert "A brand new tagline" in get(client, "/").content.decode()


def test_a_deleted_post_disappears_on_the_next_request(client, site):
    keep = PostFactory(title="Stays")
    gone = PostFactory(title="Goes away")
    url = gone.get_absolute_url()
    get(client, "/")
    get(client, url)
    gone.delete()
    assert get(client, url).status_code == 404
    html = get(client, "/").content.decode()
    assert "Goes away" not in html
    assert keep.title in html


def test_unpublishing_in_the_admin_list_shows_on_the_next_request(client, admin_client, site):
    post = PostFactory(title="Soon a draft")
    get(client, "/")
    admin_client.post("/admin/blog/post/", {"action": "make_draft", "_selected_action": [post.pk]})
    assert "Soon a draft" not in get(client, "/").content.decode()
    assert get(client, post.get_absolute_url()).status_code == 404


def test_staff_never_see_or_fill_the_shared_cache(client, site):
    PostFactory(title="Public post")
    staff = get_user_model().objects.create_user("editor", is_staff=True)
    client.force_login(staff)
    first = get(client, "/")
    second = get(client, "/")
    assert "X-Cache" not in first
    assert "X-Cache" not in second
    client.logout()
    assert get(client, "/")["X-Cache"] == "miss"  # the staff visits stored nothing


def test_previews_are_never_cached(client, site):
    from home.previews import share_url

    draft = PostFactory(title="Secret draft", status=Status.DRAFT)
    url = share_url(draft)
    for _ in range(2):
        response = get(client, url)
        assert response.status_code == 200
        assert "X-Cache" not in response
        assert "no-store" in response["Cache-Control"]
    # And the preview's content never leaks into the public cache.
    assert "Secret draft" not in get(client, "/").content.decode()


def test_the_signup_form_works_on_a_cached_page(site):
    from django.test import Client

    from newsletter.models import Subscriber

    PostFactory()
    client = Client(enforce_csrf_checks=True)
    client.get("/")
    page = client.get("/")
    assert page["X-Cache"] == "hit"
    assert not page.cookies
    token = page.content.decode().split('name="form_token" value="')[1].split('"')[0]
    response = client.post(
        "/newsletter/subscribe/",
        {"email": "cached.reader@example.com", "form_token": token, "source": "home"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 302
    assert Subscriber.objects.filter(email="cached.reader@example.com").exists()
    # The answer to the POST is never cached.
    assert "X-Cache" not in response


def test_recent_pages_in_memory_are_bounded_by_size():
    from core.pagecache import _RecentPages

    recent = _RecentPages(limit=1000)
    for number in range(5):
        recent.put(f"k{number}", (b"x" * 240, {}))
    assert recent.size <= 1000
    assert recent.get("k0") is None  # the oldest went first
    assert recent.get("k4") == (b"x" * 240, {})
    recent.put("big", (b"x" * 600, {}))  # over a quarter of the limit: not kept
    assert recent.get("big") is None
