"""Warm pages after a change: when content changes (and when a scheduled item's time
comes), the worker renders the pages readers are most likely to ask for next into the page
cache, so the first readers after a publish get cache hits.

Which pages: the home page, the main feeds and the sitemap always, and what each content
app says of the changed item (`register(model, urls)`: a post's page, its categories and
series; a release's page and its project). Bounded: a change asks for a warm-up a moment
later (WARM_DELAY) and records its pages; more changes meanwhile add their pages to the same
warm-up, so a burst of edits warms once. The task lives in core.tasks, which calls `run`.

A warm-up fetches each page through the whole middleware stack, as an anonymous reader
with and without gzip, from the site's own host (SITE_URL), so the page cache stores the
same entries a reader's request would use; the statistics do not count these requests.
The worker must share the page cache with the web processes (Redis, or the file cache on
one machine); with the local-memory cache of development it warms only itself.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse
from django.utils import timezone

logger = logging.getLogger(__name__)

WARM_DELAY = timedelta(seconds=2)
PENDING = "warming:pending"  # the paths the next warm-up will fetch
QUEUED = "warming:queued"  # set while a warm-up is enqueued and not started
ALWAYS = ("home:index", "home:feed", "home:feed_atom", "home:sitemap")
# Marks a warm-up's requests (request.META), so the statistics leave them out.
META_FLAG = "blog.warming"

Urls = Callable[[object], list[str]]
_registry: dict[type, Urls] = {}
EnqueueWarm = Callable[[datetime, list[str]], object]  # when, and pages besides PENDING
_enqueue: EnqueueWarm | None = None


def register(model, urls: Urls) -> None:
    """`urls(instance)`: the site paths that show this instance (besides the home page)."""
    if model not in _registry:
        _registry[model] = urls
        post_save.connect(
            _changed, sender=model, weak=False, dispatch_uid=f"warm-{model._meta.label}"
        )


def set_enqueuer(enqueue: EnqueueWarm) -> None:
    global _enqueue
    _enqueue = enqueue


def _changed(sender, instance, raw=False, **kwargs):
    if raw or not settings.PAGE_CACHE_SECONDS or _enqueue is None:
        return
    # Named at commit: the admin saves a post's categories after the post itself.
    transaction.on_commit(lambda: _warm_for(sender, instance))


def _warm_for(model, instance) -> None:
    try:
        paths = list(_registry[model](instance))
    except Exception:  # a page that cannot be named is no reason to fail a save
        logger.exception("Pages of %s to warm", instance)
        return
    try:
        request_warm(paths, getattr(instance, "published_at", None))
    except Exception:  # the cache or the task queue away: readers get misses, no more
        logger.exception("Asking for a warm-up after %s changed", instance)


def request_warm(paths: list[str], published_at: datetime | None = None) -> bool:
    """Add `paths` to the next warm-up and enqueue it unless one is already waiting; a
    scheduled item also gets a warm-up at its time. True when a task was enqueued."""
    pending = set(cache.get(PENDING) or ()) | set(paths)
    cache.set(PENDING, sorted(pending), timeout=3600)
    now = timezone.now()
    if published_at and published_at > now:  # its pages again when it comes out
        _enqueue(published_at + timedelta(seconds=1), sorted(set(paths)))
    if not cache.add(QUEUED, 1, timeout=int(WARM_DELAY.total_seconds()) + 60):
        return False
    _enqueue(now + WARM_DELAY, [])
    return True


def run(extra: list[str] | None = None) -> list[tuple[str, str]]:
    """Fetch the pending pages, `extra` and the ones always warmed; (path, X-Cache) each."""
    paths = [reverse(name) for name in ALWAYS] + list(extra or [])
    if not extra:  # the debounced warm-up (a scheduled one brings its own pages)
        cache.delete(QUEUED)  # changes from now on queue the next warm-up
        paths += list(cache.get(PENDING) or ())
        cache.delete(PENDING)
    host = urlsplit(settings.SITE_URL).netloc or "localhost"
    secure = settings.SITE_URL.startswith("https://")
    client = Client(HTTP_HOST=host, **{META_FLAG: True})
    done = []
    for path in dict.fromkeys(paths):
        for encoding in ("gzip, deflate, br", ""):
            headers = {"HTTP_ACCEPT_ENCODING": encoding} if encoding else {}
            try:
                response = client.get(path, secure=secure, **headers)
            except Exception:
                logger.exception("Warming %s failed", path)
                continue
            done.append((path, response.get("X-Cache", str(response.status_code))))
    logger.info("Warmed %d page(s)", len(done) // 2)
    return done
