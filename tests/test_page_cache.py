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
    from core.previews import share_url

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


# Every header a miss sends, a hit sends -------------------------------------------------

# Headers that differ between two requests by design: which one was served from the cache,
# and each request's own id.
PER_REQUEST_HEADERS = {"X-Cache", "X-Request-ID"}


def test_a_hit_sends_exactly_the_headers_of_the_miss(client, site, settings):
    settings.DEBUG = False  # production's security headers (HSTS aside: no HTTPS here)
    post = PostFactory(title="Headers")
    urls = ["/", post.get_absolute_url(), "/feed/", "/sitemap.xml", "/robots.txt", "/archive/"]
    for url in urls:
        miss = get(client, url, accept_encoding="gzip")
        hit = get(client, url, accept_encoding="gzip")
        assert (miss["X-Cache"], hit["X-Cache"]) == ("miss", "hit"), url
        assert "X-Frame-Options" in miss, url

        def headers(response):
            return {k: v for k, v in response.headers.items() if k not in PER_REQUEST_HEADERS}

        assert headers(hit) == headers(miss), url


# Query strings a page does not read make no new entries ----------------------------------


def entries(folder) -> int:
    return len(list(folder.glob("*.djcache"))) if folder.exists() else 0


def test_junk_query_strings_create_no_new_entries(client, site, file_cache):
    post = PostFactory(title="Kept in the cache")
    for url in ("/robots.txt", post.get_absolute_url(), "/"):
        assert get(client, url)["X-Cache"] == "miss"
        before = entries(file_cache)
        for number in range(60):
            response = get(client, f"{url}?utm={number}&fbclid=x{number}")
            assert response.status_code == 200
            assert response["X-Cache"] == "hit", (url, number)
        assert entries(file_cache) == before, url
    # The page itself is still there.
    assert get(client, post.get_absolute_url())["X-Cache"] == "hit"


def test_the_canonical_address_of_a_cached_page_carries_no_junk(client, site):
    post = PostFactory(title="Canonical")
    first = get(client, post.get_absolute_url() + "?page=7&utm=mail").content.decode()
    assert "page=7" not in first
    assert "utm" not in first
    assert "page=7" not in get(client, post.get_absolute_url()).content.decode()


def test_parameters_a_page_reads_still_make_their_own_pages(client, site):
    for number in range(25):
        PostFactory(title=f"Numbered post {number:02d}")
    first, second = get(client, "/").content.decode(), get(client, "/?page=2").content.decode()
    assert first != second
    assert "Numbered post 24" in first
    assert "Numbered post 24" not in second
    assert get(client, "/?page=2&utm=x")["X-Cache"] == "hit"
    assert get(client, "/?utm=x&page=2").content.decode() == second
    assert get(client, "/archive/?page=2").status_code == 200
    assert get(client, "/archive/?page=2")["X-Cache"] == "hit"
    found = get(client, "/search/?q=Numbered&utm=1")
    assert "25 results" in found.content.decode()
    assert "25 results" not in get(client, "/search/?q=nothing-like-it").content.decode()
    again = get(client, "/search/?utm=2&q=Numbered")
    assert again["X-Cache"] == "hit"
    assert again.content == found.content
    assert get(client, "/sitemap.xml?p=2").status_code == 404


def test_old_wordpress_links_still_redirect_with_the_home_page_cached(client, site):
    from django.contrib.contenttypes.models import ContentType

    from wordpress.models import ImportedItem

    post = PostFactory(title="Imported")
    ImportedItem.objects.create(
        source="old.example.com",
        wp_id=123,
        wp_type="post",
        content_type=ContentType.objects.get_for_model(post),
        object_id=post.pk,
    )
    assert get(client, "/")["X-Cache"] == "miss"
    response = get(client, "/?p=123")
    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()
    assert get(client, "/?p=999")["X-Cache"] == "hit"  # unknown id: the home page
