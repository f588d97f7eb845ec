"""The crawler policy of the site settings, applied to requests: the AI training crawlers
of refused families get 403 when the author turns that on (robots.txt names them in any
case: home.views.robots_txt), and every crawler family is rate limited (429 with
Retry-After) at CRAWLER_POLICY["RATE_LIMIT"] requests a minute, per process.

Never limited or refused: browsers (anything crawlerdetect does not take for a crawler),
feed readers fetching feeds, the site's own health checks, the admin and anyone logged in,
and by default search engines.
A family is the crawler's operator (core.crawlers), or for crawlers the index does not
know, crawlerdetect's name for them."""

import threading
import time

from django.conf import settings
from django.http import HttpResponse

from core import crawlers
from core.models import SiteSettings

WINDOW = 60


class RateLimiter:
    """Fixed one-minute windows per family, in memory (no shared state, no I/O)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.windows: dict[str, tuple[int, int]] = {}  # family → (window start, count)

    def allow(self, family: str, limit: int, now: float | None = None) -> int:
        """0 if allowed, else the seconds until the family's window ends."""
        now = now or time.time()
        start = int(now // WINDOW * WINDOW)
        with self.lock:
            began, count = self.windows.get(family, (start, 0))
            if began != start:
                began, count = start, 0
            if count >= limit:
                return max(int(began + WINDOW - now), 1)
            self.windows[family] = (began, count + 1)
            if len(self.windows) > 10_000:  # many made-up names: forget the old windows
                self.windows = {k: v for k, v in self.windows.items() if v[0] == start}
        return 0


limiter = RateLimiter()


class CrawlerPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin = "/" + settings.ADMIN_PATH

    def __call__(self, request):
        refusal = self.decide(request)
        return refusal or self.get_response(request)

    def decide(self, request) -> HttpResponse | None:
        user_agent = request.META.get("HTTP_USER_AGENT", "")
        path = request.path_info
        if not user_agent or "feed/" in path or path in ("/robots.txt", "/healthz", "/readyz"):
            return None
        if path.startswith(self.admin) or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None  # the author at work (a headless browser is a crawler to crawlerdetect)
        known = crawlers.match(user_agent)
        if known is None and not crawlers.is_crawler(user_agent):
            return None  # a browser, whatever its string resembles
        site = SiteSettings.get_solo()
        if site.ai_crawlers_enforce and known in crawlers.refused(site.ai_crawlers_refused):
            return HttpResponse(
                f"{known.token} may not crawl this site (see /robots.txt).\n",
                status=403,
                content_type="text/plain; charset=utf-8",
            )
        policy = settings.CRAWLER_POLICY
        limit = policy["RATE_LIMIT"]
        if not limit:
            return None
        if known and known.category in crawlers.SEARCH and not policy["LIMIT_SEARCH_ENGINES"]:
            return None
        family = known.family if known else "other crawlers"
        wait = limiter.allow(family, limit)
        if not wait:
            return None
        response = HttpResponse(
            f"Too many requests from {family}: try again in {wait} s.\n",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(wait)
        return response
