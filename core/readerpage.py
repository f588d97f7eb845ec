"""The reader-page marker: the one place that says "readers see this page".

A view marked with `reader_page`:

- answers conditional GETs: it sends the content version (core.versioning) as `ETag` and
  `Last-Modified`, answers `If-None-Match` / `If-Modified-Since` with 304 without running,
  and asks browsers to revalidate each time (`Cache-Control: no-cache`), so a new post
  shows up on the next visit;
- may be stored by the page cache (core.pagecache) for anonymous readers, keyed on the
  query parameters it declares it reads (`query=`); every other parameter is dropped before
  the view sees it. A paginated class-based view reads its `page_kwarg` without saying so.

Everything unmarked (previews, forms, the admin, health checks, media) is never cached.

It marks function views, class-based views (the class, or its `as_view()`), Feed
instances or classes, and the sitemap view:

    @reader_page(query=("page",))
    def index(request): ...

    path("posts/<slug:slug>/", reader_page(PostDetailView.as_view()), name="post")

    @reader_page
    class SiteFeed(Feed): ...
"""

import functools

from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views import View

from core.versioning import current_version

# Where the marker lives: the view (or its class) carries the parameters it reads.
QUERY_ATTRIBUTE = "reader_page_query"


def reader_page(view=None, *, query=()):
    """Mark `view` as a reader page reading the query parameters `query` (see the module
    docstring). Works with and without arguments: `@reader_page`, `@reader_page(query=…)`,
    `reader_page(view, query=…)`."""
    if view is None:
        return functools.partial(reader_page, query=query)
    names = frozenset(query)
    if isinstance(view, type):
        return _mark_class(view, names)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return _conditional(request, lambda: view(request, *args, **kwargs))

    setattr(wrapper, QUERY_ATTRIBUTE, names | getattr(view, QUERY_ATTRIBUTE, frozenset()))
    return wrapper


def _mark_class(cls, names):
    # A view class answers through dispatch(); a Feed (or any callable class) through
    # __call__(). A subclass of a marked class is marked already: wrap once.
    method_name = "dispatch" if issubclass(cls, View) else "__call__"
    method = getattr(cls, method_name)
    if not getattr(method, "reader_page", False):

        @functools.wraps(method)
        def wrapped(self, request, *args, **kwargs):
            return _conditional(request, lambda: method(self, request, *args, **kwargs))

        wrapped.reader_page = True
        setattr(cls, method_name, wrapped)
    setattr(cls, QUERY_ATTRIBUTE, names | getattr(cls, QUERY_ATTRIBUTE, frozenset()))
    return cls


def _conditional(request, respond):
    if request.method not in ("GET", "HEAD"):
        return respond()
    version = current_version()
    response = get_conditional_response(
        request, etag=version["etag"], last_modified=version["last_modified"]
    )
    if response is None:
        response = respond()
        if response.status_code != 200:
            return response
    response.headers["ETag"] = version["etag"]
    if version["last_modified"]:
        response.headers["Last-Modified"] = http_date(version["last_modified"])
    patch_cache_control(response, no_cache=True)
    return response


def query_parameters(view) -> frozenset[str] | None:
    """The query parameters the reader page `view` reads, or None when `view` is not a
    reader page (and so must never be cached)."""
    declared = getattr(view, QUERY_ATTRIBUTE, None)
    view_class = getattr(view, "view_class", None)
    if declared is None and view_class is not None:
        declared = getattr(view_class, QUERY_ATTRIBUTE, None)
    if declared is None:
        return None
    if view_class is not None and getattr(view_class, "paginate_by", None):
        declared = declared | {view_class.page_kwarg}
    return frozenset(declared)
