"""The page cache for anonymous readers, keyed on the content version.

The content version (`core.versioning.current_version()`) changes whenever anything a
reader can see changes, including a scheduled item's time arriving; see that module.

`PageCacheMiddleware` stores whole responses for anonymous GET/HEAD
requests to reader pages, keyed on the content version, host, path, the query parameters
the page reads and whether the client takes gzip. A reader page is a view marked with
`core.readerpage.reader_page`; the URL pattern a request resolves to decides. It never
stores or serves:

- requests with a session cookie (logged-in staff), or to any view not marked as a reader
  page (previews, forms, the admin, the editor's endpoints, health checks, media);
- responses that set a cookie, vary on Cookie, are not 200, are streamed, or say
  `private` or `no-store` (previews, pages with CSRF tokens).

**Query strings.** Each page declares the query parameters it reads (`reader_page(query=…)`;
a paginated class-based view reads its `page_kwarg` without saying so); every other
parameter (`utm_*`, `fbclid`, random junk) is dropped from the request before the view
sees it, so `/robots.txt?utm=<random>` is the entry of `/robots.txt` and cannot push real
pages out of the cache. The view sees exactly the parameters of the key, so what is stored
under a key is what that key's URL renders (no `?page=7` in a post's canonical link).

Every header the view and the middleware inside this one set (`X-Frame-Options`, CSP,
`Vary`, …) is stored with the page and sent again on a hit; the outer middleware
(security headers, the request id) runs on hits and misses alike.

Cached responses keep their `ETag`, so a browser's revalidation is answered with 304 from
the cache too. `Cache-Control: public, max-age=0, s-maxage=N` lets a CDN or reverse proxy
keep a page for `PAGE_CACHE_SHARED_MAX_AGE` seconds while browsers revalidate every time.
"""

import functools
import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import patch_cache_control

from core.readerpage import query_parameters
from core.versioning import current_version

# Headers not stored with a page: set again on every answer (Cache-Control, the length and
# X-Cache by this middleware; the rest are per request or never on a cacheable response).
UNSTORED_HEADERS = {"cache-control", "content-length", "x-cache", "date", "set-cookie"}


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


@functools.lru_cache(maxsize=10_000)
def _cacheable_path(path: str, urlconf) -> frozenset[str] | None:
    """The query parameters of the page at `path` if it is a reader page, else None, by the
    view its URL pattern resolves to (remembered: the URL configuration does not change while
    the process runs)."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return query_parameters(match.func)


def is_reader_path(path: str) -> bool:
    """Whether `path` is a reader page (for what counts as one elsewhere: stats)."""
    return _cacheable_path(path, get_urlconf()) is not None


@receiver(setting_changed)
def _forget_paths(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _cacheable_path.cache_clear()


def _cacheable_request(request) -> frozenset[str] | None:
    """The query parameters the page reads, when the request may use the cache."""
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_SECONDS:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    return _cacheable_path(request.path_info, get_urlconf())


def _keep_only(request, names: frozenset[str]) -> str:
    """Drop the query parameters the page does not read from `request`; returns the
    canonical query string left (names sorted, the last value of each, as `GET[name]`
    gives it to the view)."""
    query = QueryDict(mutable=True)
    for name in sorted(names):
        if name in request.GET:
            query[name] = request.GET[name]
    canonical = query.urlencode()
    if canonical != request.META.get("QUERY_STRING", ""):
        request.GET = QueryDict(canonical)
        request.META["QUERY_STRING"] = canonical
    return canonical


class _RecentPages:
    """The most recently served entries, in this process's memory, up to `limit` bytes.

    Entries are keyed like the shared cache, on the content version, so one of an old
    version is never asked for again; it just ages out. A hit here skips reading and
    unpickling the page from the shared cache (the version is still read from there, which
    keeps invalidation exact across processes)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.entries: OrderedDict[str, tuple[bytes, dict]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0

    def put(self, key, entry):
        size = len(entry[0])
        if size > self.limit // 4:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.size += size
            while self.size > self.limit:
                _, (content, _) = self.entries.popitem(last=False)
                self.size -= len(content)


_recent = _RecentPages(settings.PAGE_CACHE_LOCAL_BYTES)


def _cacheable_response(response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if "cookie" in response.get("Vary", "").lower():
        return False
    control = response.get("Cache-Control", "").lower()
    # `no-cache` alone (conditional pages) only asks for revalidation: still shareable.
    return not any(word in control for word in ("private", "no-store"))


def _key(request, query: str, version: dict) -> str:
    gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    address = f"{request.get_host()}|{int(gzip)}|{request.path}?{query}"
    # Hashed: a search query can be longer than a cache key may be.
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"page:{version['etag'].strip('W/"')}:{digest}"


class PageCacheMiddleware:
    """Serve and store whole pages for anonymous readers (see the module docstring).

    Placed before GZipMiddleware, so what it stores is exactly what went out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = _cacheable_request(request)
        if names is None:
            return self.get_response(request)
        query = _keep_only(request, names)
        version = current_version()
        key = _key(request, query, version)
        entry = _recent.get(key)
        if entry is None:
            entry = _cache().get(key)
            if entry is not None:
                _recent.put(key, entry)
        if entry is not None:
            return self._from_entry(request, entry)
        response = self.get_response(request)
        if _cacheable_response(response):
            response.headers.setdefault("ETag", version["etag"])
            self._public(response)
            headers = {
                name: value
                for name, value in response.headers.items()
                if name.lower() not in UNSTORED_HEADERS
            }
            entry = (response.content, headers)
            _cache().set(key, entry, settings.PAGE_CACHE_SECONDS)
            _recent.put(key, entry)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _public(response):
        # Browsers revalidate every time (with the ETag: cheap); shared caches may keep it.
        response.headers.pop("Cache-Control", None)
        patch_cache_control(
            response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE
        )

    def _from_entry(self, request, entry):
        content, headers = entry
        etag = headers.get("ETag")
        if etag and etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
            response["ETag"] = etag
        else:
            response = HttpResponse(content if request.method == "GET" else b"")
            for name, value in headers.items():
                response[name] = value
            # With a length the server sends the body as is, not in chunks.
            response["Content-Length"] = str(len(content))
        self._public(response)
        response["X-Cache"] = "hit"
        return response
