import pytest

from core.models import SiteSettings

# Drafts and scheduled items of each kind that must never reach a reader.
from tests.hidden_content import hidden  # noqa: F401

# The real SMTP server on loopback and the in-process worker, for every test that sends mail.
from tests.mail_server import run_worker, smtp, smtp_server  # noqa: F401

# Fixtures shared by the feed tests of several apps (feed_content).
pytest_plugins = ["tests.feed_helpers", "tests.dovecot"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def site(db):
    return SiteSettings.objects.create(
        pk=1,
        author_name="Ada Example",
        tagline="Serverless & startups",
        bio="I write about **serverless**.",
        github_url="https://github.com/ada-example",
        newsletter_name="Warm Start",
        newsletter_pitch="Practical serverless tips every Monday",
        subscriber_count_threshold=3,
    )


@pytest.fixture(autouse=True)
def _no_outside_apis(settings):
    """Release polling never leaves the machine: a closed port on loopback answers at once
    (tests that poll point these at tests/release_registry.py's server)."""
    closed = "http://127.0.0.1:9"
    settings.GITHUB_API_URL = settings.PYPI_URL = settings.NPM_REGISTRY_URL = closed
    settings.GITLAB_API_URL = closed + "/api/v4"


@pytest.fixture(autouse=True)
def _no_crawler_rate_limit(settings):
    """Headless Chromium is a crawler to crawlerdetect: the browser tests' many requests
    would meet the per-process limit. tests/core/test_crawler_policy.py sets its own."""
    from core import crawler_policy

    settings.CRAWLER_POLICY = {"RATE_LIMIT": 0, "LIMIT_SEARCH_ENGINES": False}
    crawler_policy.limiter.windows.clear()


@pytest.fixture(autouse=True)
def _stats_flushed_when_asked(settings):
    """No background flush thread in tests (it would write between tests); each test starts
    with nothing counted. Tests of the statistics call recorder.flush()."""
    from stats.recorder import Window, recorder

    settings.STATS_FLUSH_SECONDS = 0
    recorder.window = Window()
    yield
    recorder.window = Window()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached pages and content versions belong to
    the previous test's (rolled back) database."""
    from django.core.cache import cache

    from core.pagecache import _recent

    cache.clear()
    _recent.clear()
    yield
    cache.clear()
    _recent.clear()


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Most tests read `response.context`, which a cached page does not have: the page cache
    is off unless a test turns it on (tests/test_page_cache.py)."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def file_cache(settings, tmp_path):
    """Production's cache without Redis: a capped file-based cache, shared by every process
    of one machine. Returns its folder."""
    folder = tmp_path / "cache"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(folder),
            "OPTIONS": {"MAX_ENTRIES": 50},
        },
    }
    return folder
