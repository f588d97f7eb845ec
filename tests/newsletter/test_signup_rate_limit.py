"""The signup form's rate limit per client address: the limit and its window, the
forwarded address behind a trusted proxy, concurrent signups, and a full page cache."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from newsletter.models import Subscriber
from tests.factories import PostFactory
from tests.newsletter.signup_helpers import URL, signup

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a database server (an in-memory SQLite test database "
    "serializes threads on table locks); CI runs the suite on PostgreSQL",
)


@pytest.fixture(autouse=True)
def start_of_a_rate_window(settings):
    """Each test starts just after a rate-limit window opens, so no window boundary (which
    resets the counters) falls inside a test that counts attempts."""
    window = settings.NEWSLETTER_SIGNUP_RATE_WINDOW
    start = (int(timezone.now().timestamp()) // window + 1) * window + 1
    with time_machine.travel(start, tick=True):
        yield


def test_repeated_signups_from_one_address_are_limited(client, site, settings):
    settings.NEWSLETTER_SIGNUP_RATE_LIMIT = 5
    for n in range(5):
        assert signup(client, f"r{n}@example.com").status_code == 302
    response = signup(client, "one-more@example.com")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many signups from your network" in response.content.decode()
    assert not Subscriber.objects.filter(email="one-more@example.com").exists()
    # Bad input counts too, and is also refused once the limit is reached.
    assert signup(client, "broken").status_code == 429
    # Another client is not affected.
    other = client.post(URL, {"email": "other@example.com"}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302
    # The window passes.
    later = timezone.now() + datetime.timedelta(seconds=settings.NEWSLETTER_SIGNUP_RATE_WINDOW)
    with time_machine.travel(later, tick=False):
        assert signup(client, "one-more@example.com").status_code == 302


def test_rate_limit_uses_the_forwarded_address_only_behind_a_trusted_proxy(client, site, settings):
    settings.NEWSLETTER_SIGNUP_RATE_LIMIT = 1
    # No proxy configured: a forged X-Forwarded-For does not buy a fresh limit.
    assert signup(client, "a@example.com", forwarded="198.51.100.1").status_code == 302
    assert signup(client, "b@example.com", forwarded="198.51.100.2").status_code == 429
    # Behind one proxy: the address it saw counts, and whatever the client added does not.
    settings.TRUSTED_PROXY_COUNT = 1
    assert signup(client, "c@example.com", forwarded="6.6.6.6, 203.0.113.9").status_code == 302
    assert signup(client, "d@example.com", forwarded="7.7.7.7, 203.0.113.9").status_code == 429
    assert signup(client, "e@example.com", forwarded="203.0.113.10").status_code == 302


def concurrent_signups(count: int) -> list[int]:
    """`count` signups from one client address at once, each in its own thread (with its
    own database connection); returns the status codes."""
    start = threading.Barrier(count)

    def attempt(number: int) -> int:
        try:
            start.wait()
            return Client().post(URL, {"email": f"crowd{number}@example.com"}).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


@postgres_only
@pytest.mark.django_db(transaction=True)
# Each thread holds a connection: PostgreSQL's default max_connections is 100, shared with
# the test's own connection and whatever else runs on the server.
@pytest.mark.parametrize("crowd", [40, 80])
def test_concurrent_signups_from_one_address_stop_at_the_limit(site, settings, file_cache, crowd):
    settings.NEWSLETTER_SIGNUP_RATE_LIMIT = 10
    codes = concurrent_signups(crowd)
    assert sorted(set(codes)) == [302, 429]
    assert codes.count(302) == 10
    assert Subscriber.objects.count() == 10


def test_the_rate_limit_survives_a_full_page_cache(client, site, settings, file_cache):
    settings.NEWSLETTER_SIGNUP_RATE_LIMIT = 3
    settings.PAGE_CACHE_SECONDS = 600
    for n in range(3):
        assert signup(client, f"r{n}@example.com").status_code == 302
    assert signup(client, "one-more@example.com").status_code == 429
    # Enough distinct pages to fill the capped cache many times over.
    for number in range(40):
        PostFactory(title=f"Filler {number}")
    urls = ["/", "/feed/", "/sitemap.xml", "/archive/", "/newsletter/"]
    urls += [f"/search/?q=filler+{number}" for number in range(150)]
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get("/search/?q=filler+149")["X-Cache"] == "hit"
    assert signup(client, "still-too-many@example.com").status_code == 429
