"""sitemap.xml's shared parts: the base section class, the list pages and the view.

Each content app describes its own sections (blog/sitemaps.py, …); home/urls.py composes
them into the one sitemap. Each section reads its items once, as a list, so the page costs
one query per section and no COUNT; URLs are absolute, from SITE_URL.
"""

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.urls import reverse

from core.readerpage import reader_page


def latest(*dates):
    """The newest of `dates`, None ignored."""
    return max((d for d in dates if d is not None), default=None)


class SiteSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def items(self):
        if not hasattr(self, "_items_list"):
            self._items_list = list(self.get_items())
        return self._items_list

    def get_items(self):
        raise NotImplementedError


# A list page: its URL name and the sections whose newest item dates it.
ListPage = tuple[str, tuple[str, ...]]


class PageSitemap(SiteSitemap):
    """The list pages; each changes when the newest item it lists does."""

    priority = 1.0

    def __init__(self, sections: dict[str, SiteSitemap], pages: Iterable[ListPage]):
        self.sections = sections
        self.pages = pages

    def get_items(self):
        def newest(names):
            return latest(*(self.sections[name].get_latest_lastmod() for name in names))

        pages = [(url_name, newest(names)) for url_name, names in self.pages]
        return [(url_name, lastmod) for url_name, lastmod in pages if lastmod]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]


def sitemap_view(
    sections: Iterable[Callable[[], dict[str, SiteSitemap]]], pages: Iterable[ListPage]
):
    """The sitemap view: the list `pages` first, then every section the `sections`
    functions return, built afresh for each request (a section keeps its items)."""
    sections, pages = tuple(sections), tuple(pages)

    @reader_page(query=("p",))  # Django's sitemap view numbers its pages with ?p=
    def sitemap(request):
        built = {}
        for app_sections in sections:
            built.update(app_sections())
        return django_sitemap(request, sitemaps={"pages": PageSitemap(built, pages), **built})

    return sitemap
