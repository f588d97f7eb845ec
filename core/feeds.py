"""The feeds' shared parts: formats, items, the base Feed class and the site-wide feed.

Every feed carries the full, sanitized HTML of each item (`content:encoded` in RSS,
`<content type="html">` in Atom) with absolute links, a plain-text summary, and an id that
never changes: a tag URI made of the site's host, the day the item was created and its
kind and database id (RFC 4151), so renaming or re-dating an item keeps its id.

Each content app builds its own feeds on these (blog/feeds.py, projects/feeds.py,
newsletter/feeds.py) and offers its latest items to the site-wide `CombinedFeed`, which
home/urls.py composes. Every feed is a reader page (core.readerpage): ETag/304, cacheable.

Absolute URLs come from SITE_URL, not from the request's host.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.templatetags.static import static
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, Stylesheet
from django.utils.html import escape
from django.utils.timezone import now
from django.utils.xmlutils import SimplerXMLGenerator

from core.links import absolute_url, site_host
from core.models import SiteSettings
from core.readerpage import reader_page

FEED_ITEMS = 20
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


# --- Feed formats ---------------------------------------------------------------------------


class BrowserReadableFeed:
    """What makes a feed readable when opened in a browser: an XSLT stylesheet
    (static/feeds/feed.xsl) turns it into a page that says what the feed is and how to
    subscribe, with the site's CSS named in a `page-stylesheet` instruction the XSLT reads.

    Served as application/xml: browsers show application/rss+xml and application/atom+xml
    as plain text without applying the stylesheet, while feed readers and validators read
    the document, not the media type (the pages' <link rel="alternate"> keep the specific
    types)."""

    content_type = "application/xml; charset=utf-8"

    def add_stylesheets(self, handler):
        handler.processingInstruction(
            "xml-stylesheet", str(Stylesheet(static("feeds/feed.xsl"), mimetype="text/xsl"))
        )
        handler.processingInstruction("page-stylesheet", f'href="{static("css/site.css")}"')


class RssFeed(BrowserReadableFeed, Rss201rev2Feed):
    """RSS 2.0 with the full HTML of each item in content:encoded."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class AtomFeed(BrowserReadableFeed, Atom1Feed):
    """Atom 1.0 with the full HTML of each entry in <content type="html">."""

    def write(self, outfile, encoding):
        # Atom1Feed.write, with the stylesheets after the XML declaration as RSS has them.
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        self.add_stylesheets(handler)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


# --- What goes into an item -----------------------------------------------------------------


@dataclass
class FeedItem:
    title: str
    link: str
    description: str  # plain text
    content_html: str
    pubdate: datetime
    updateddate: datetime
    guid: str
    categories: list[str] = field(default_factory=list)
    enclosure: Enclosure | None = None
    duration: int = 0
    explicit: bool = False


def item_guid(kind: str, obj) -> str:
    """tag:example.com,2026-01-05:post/42: the same for the item's whole life."""
    return f"tag:{site_host()},{obj.created_at:%Y-%m-%d}:{kind}/{obj.pk}"


# --- Feeds ----------------------------------------------------------------------------------


@dataclass
class FeedContext:
    """What get_object returns: the site settings, read once, and the feed's own object."""

    site: SiteSettings
    path: str
    obj: object = None


@reader_page
class SiteFeed(Feed):
    """The common part: titles from the site settings, absolute URLs, items as FeedItems."""

    feed_type = RssFeed
    language = None  # the site's language (LANGUAGE_CODE), set by Feed

    # Feed instances serve every request of their URL: per-request state lives in the
    # FeedContext that get_object returns, never on self.
    def get_object(self, request, *args, **kwargs):
        return FeedContext(SiteSettings.get_solo(), request.path, self.get_feed_object(**kwargs))

    def get_feed_object(self, **kwargs):
        return None

    def feed_url(self, context):
        return absolute_url(context.path)

    def title(self, context):
        return context.site.author_name

    def description(self, context):
        return context.site.site_description or context.site.tagline or self.title(context)

    def subtitle(self, context):
        return self.description(context)

    def link(self, context):
        return absolute_url(reverse("home:index"))

    def author_name(self, context):
        return context.site.author_name

    def author_link(self, context):
        return absolute_url(reverse("home:index"))

    def feed_copyright(self, context):
        return f"© {now().year} {context.site.author_name}"

    def items(self, context) -> list[FeedItem]:
        raise NotImplementedError

    # Items are FeedItems: these just read them.
    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.link

    def item_description(self, item):
        # RSS descriptions and Atom summaries are HTML: the plain text is escaped once here
        # and once more by the XML writer, which a reader undoes twice.
        return escape(item.description)

    def item_guid(self, item):
        return item.guid

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.pubdate

    def item_updateddate(self, item):
        return item.updateddate

    def item_categories(self, item):
        return item.categories

    def item_enclosures(self, item):
        return [item.enclosure] if item.enclosure else []

    def item_extra_kwargs(self, item):
        return {"content_html": item.content_html}


class AtomMixin:
    feed_type = AtomFeed


class CombinedFeed(SiteFeed):
    """Several apps' latest items together, newest first: the site-wide feed.

    Each source is a function returning an app's latest FeedItems, newest first."""

    def __init__(self, *sources: Callable[[], list[FeedItem]]):
        self.sources = sources

    def items(self, context):
        items = [item for source in self.sources for item in source()]
        items.sort(key=lambda item: item.pubdate, reverse=True)
        return items[:FEED_ITEMS]


class CombinedAtomFeed(AtomMixin, CombinedFeed):
    pass
