"""The reader-page marker (core.readerpage): a marked view answers conditional GETs and may
be cached; an unmarked one never is. Function views, view classes, `as_view()` results,
Feed instances and Feed classes can all be marked, and the site's reader pages are
exactly the ones readers see."""

import pytest
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path
from django.views.generic import View

from core.previews import share_url
from core.readerpage import query_parameters, reader_page
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


@reader_page(query=("q",))
def marked_function(request):
    return HttpResponse(f"function {request.GET.get('q', '')}")


def unmarked_function(request):
    return HttpResponse("unmarked")


@reader_page
class MarkedClass(View):
    def get(self, request):
        return HttpResponse("class")


class PlainView(View):
    def get(self, request):
        return HttpResponse("as_view")


class Items(Feed):
    title = link = description = "/"

    def items(self):
        return []


@reader_page
class MarkedFeed(Items):
    pass


urlpatterns = [
    path("function/", marked_function),
    path("unmarked/", unmarked_function),
    path("class/", MarkedClass.as_view()),
    path("as-view/", reader_page(PlainView.as_view())),
    path("feed-instance/", reader_page(Items())),
    path("feed-class/", MarkedFeed()),
]

MARKED = ["/function/", "/class/", "/as-view/", "/feed-instance/", "/feed-class/"]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", MARKED)
def test_a_marked_view_answers_304_and_is_cached(client, site, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    assert first["ETag"].startswith('W/"')
    assert client.get(url)["X-Cache"] == "hit"
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304


@pytest.mark.urls(__name__)
def test_an_unmarked_view_is_never_cached_nor_conditional(client, site):
    for _ in range(2):
        response = client.get("/unmarked/")
        assert response.content == b"unmarked"
        assert "X-Cache" not in response
        assert "ETag" not in response


@pytest.mark.urls(__name__)
def test_a_marked_view_sees_only_the_parameters_it_declares(client, site):
    assert client.get("/function/?q=one&utm=x").content == b"function one"
    again = client.get("/function/?utm=y&q=one")
    assert again["X-Cache"] == "hit"
    assert client.get("/function/?q=two").content == b"function two"


def test_a_subclass_of_a_marked_class_is_marked_once():
    @reader_page(query=("page",))
    class Child(MarkedClass):
        pass

    assert query_parameters(Child.as_view()) == {"page"}
    assert query_parameters(MarkedClass.as_view()) == frozenset()
    assert Child.dispatch is MarkedClass.dispatch  # not wrapped twice


def _named_views(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_views(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


FEEDS = {
    "feed", "feed_atom", "posts_feed", "posts_feed_atom", "podcast_feed", "category_feed",
    "category_feed_atom", "series_feed", "series_feed_atom", "project_feed",
    "project_feed_atom", "newsletter_feed", "newsletter_feed_atom",
}  # fmt: skip
READER_PAGES = {
    "home:index": {"page"},
    "home:search": {"q", "kind", "category", "page"},
    "home:robots": set(),
    "home:sitemap": {"p"},
    **{f"home:{name}": set() for name in FEEDS},
    "blog:post": set(),
    "blog:category": {"page"},
    "blog:archive": {"page"},
    "blog:archive_year": {"page"},
    "blog:archive_month": {"page"},
    "blog:series_list": set(),
    "blog:series": set(),
    "projects:list": set(),
    "projects:project": set(),
    "projects:release": set(),
    "newsletter:index": {"page"},
    "newsletter:issue": set(),
}


def test_the_reader_pages_are_exactly_the_pages_readers_see():
    """Previews, forms, the admin and health checks are never reader pages; a new reader
    view that forgets its marker (or a form that gets one) shows up here."""
    found = {
        name: set(query)
        for name, view in _named_views()
        if (query := query_parameters(view)) is not None
    }
    assert found == READER_PAGES


def test_pages_for_one_reader_are_never_cached(client, site):
    post = PostFactory(status="draft")
    urls = ["/newsletter/subscribe/thanks/", "/newsletter/confirmed/", "/healthz"]
    urls.append(share_url(post).removeprefix("http://127.0.0.1:8000"))
    for url in urls:
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "X-Cache" not in response, url
