"""A small fixed-window rate limit on Django's cache (Redis in production).

Written here rather than taken from a library because it is twenty lines: `cache.add`
starts a window's counter and `cache.incr` counts, both atomic in Redis (and in the
local-memory cache within one process). A fixed window lets a client through at most twice
the limit around a window boundary, which is fine for keeping signup bots at bay.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from core.http import client_ip


def hit(scope: str, identity: str, *, limit: int, window: int) -> tuple[bool, int]:
    """Count one attempt by `identity`. Returns (allowed, seconds until the window ends)."""
    now = time.time()
    bucket = int(now // window)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]  # no raw IPs in the cache
    key = f"ratelimit:{scope}:{digest}:{bucket}"
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window + 5)
            count = 1
    retry_after = max(1, int((bucket + 1) * window - now))
    return count <= limit, retry_after


def signup_allowed(request) -> tuple[bool, int]:
    return hit(
        "signup",
        client_ip(request),
        limit=settings.NEWSLETTER_SIGNUP_RATE_LIMIT,
        window=settings.NEWSLETTER_SIGNUP_RATE_WINDOW,
    )
