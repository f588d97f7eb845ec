"""RSS 2.0 and Atom feeds, and the podcast feed: small Feed subclasses over `published()`.

Every feed carries the full, sanitized HTML of each item (`content:encoded` in RSS,
`<content type="html">` in Atom) with absolute links, a plain-text summary, and an id that
never changes: a tag URI made of the site's host, the day the item was created and its
kind and database id (RFC 4151), so renaming or re-dating an item keeps its id. A post's
`updated` date is its newest update note (see Post.revised_at).

Absolute URLs come from SITE_URL, not from the request's host.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, Stylesheet
from django.utils.html import escape
from django.utils.timezone import now
from django.utils.xmlutils import SimplerXMLGenerator

from blog.models import Category, Post, Series
from core.links import absolute_url, absolutize_html, site_host
from core.models import SiteSettings
from core.podcast import split_category
from newsletter.models import Issue
from projects.models import Project, Release

FEED_ITEMS = 20
PODCAST_EPISODES = 300
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


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


class PodcastRssFeed(RssFeed):
    """RSS 2.0 with the tags Apple Podcasts and other podcast apps read (itunes namespace)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:itunes": ITUNES_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        podcast = self.feed["podcast"]
        handler.addQuickElement("itunes:author", podcast.author)
        handler.addQuickElement("itunes:summary", podcast.description)
        handler.addQuickElement("itunes:type", "episodic")
        handler.addQuickElement("itunes:explicit", "true" if podcast.explicit else "false")
        if podcast.image:
            handler.addQuickElement("itunes:image", "", {"href": podcast.image})
            handler.startElement("image", {})
            handler.addQuickElement("url", podcast.image)
            handler.addQuickElement("title", self.feed["title"])
            handler.addQuickElement("link", self.feed["link"])
            handler.endElement("image")
        parent, child = split_category(podcast.category)
        handler.startElement("itunes:category", {"text": parent})
        if child:
            handler.addQuickElement("itunes:category", "", {"text": child})
        handler.endElement("itunes:category")
        if podcast.owner_email:
            handler.startElement("itunes:owner", {})
            handler.addQuickElement("itunes:name", podcast.author)
            handler.addQuickElement("itunes:email", podcast.owner_email)
            handler.endElement("itunes:owner")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("itunes:title", item["title"])
        handler.addQuickElement("itunes:duration", str(item["duration"]))
        handler.addQuickElement("itunes:episodeType", "full")
        handler.addQuickElement("itunes:explicit", item["explicit"])


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


def audio_enclosure(post) -> Enclosure:
    return Enclosure(
        url=absolute_url(post.audio.url),
        length=str(post.audio_size),
        mime_type=post.audio_mime_type,
    )


def post_item(post) -> FeedItem:
    link = absolute_url(post.get_absolute_url())
    content = post.body_html
    updates = list(post.updates.all())
    if updates:
        notes = "".join(
            f"<p><strong>Update, {update.date:%B} {update.date.day}, {update.date.year}:"
            f"</strong></p>{update.note_html}"
            for update in updates
        )
        content = f"<aside>{notes}</aside>{content}"
    return FeedItem(
        title=post.title,
        link=link,
        description=post.description,
        content_html=absolutize_html(content, link),
        pubdate=post.published_at,
        updateddate=post.revised_at,
        guid=item_guid("post", post),
        categories=[category.name for category in post.categories.all()],
        enclosure=audio_enclosure(post) if post.audio else None,
        duration=post.audio_duration,
    )


def release_item(release) -> FeedItem:
    link = absolute_url(release.get_absolute_url())
    content = f"<p>{escape(release.summary)}</p>{release.notes_html}"
    return FeedItem(
        title=release.title,
        link=link,
        description=release.summary,
        content_html=absolutize_html(content, link),
        pubdate=release.published_at,
        updateddate=release.published_at,
        guid=item_guid("release", release),
        categories=[release.project.name],
    )


def issue_item(issue) -> FeedItem:
    link = absolute_url(issue.get_absolute_url())
    return FeedItem(
        title=issue.title,
        link=link,
        description=issue.subtitle or issue.title,
        content_html=absolutize_html(issue.body_html, link),
        pubdate=issue.published_at,
        updateddate=issue.published_at,
        guid=item_guid("issue", issue),
    )


def feed_posts():
    return Post.objects.published().prefetch_related("categories", "updates")


def feed_releases():
    return Release.objects.published().select_related("project")


# --- Feeds ----------------------------------------------------------------------------------


@dataclass
class FeedContext:
    """What get_object returns: the site settings, read once, and the feed's own object."""

    site: SiteSettings
    path: str
    obj: object = None


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


class EverythingFeed(SiteFeed):
    """Posts, releases and newsletter issues together, newest first."""

    def items(self, context):
        items = [post_item(post) for post in feed_posts()[:FEED_ITEMS]]
        items += [release_item(release) for release in feed_releases()[:FEED_ITEMS]]
        items += [issue_item(issue) for issue in Issue.objects.published()[:FEED_ITEMS]]
        items.sort(key=lambda item: item.pubdate, reverse=True)
        return items[:FEED_ITEMS]


class EverythingAtomFeed(AtomMixin, EverythingFeed):
    pass


class PostsFeed(SiteFeed):
    def title(self, context):
        return f"{context.site.author_name}: posts"

    def link(self, context):
        return absolute_url(reverse("blog:archive"))

    def items(self, context):
        return [post_item(post) for post in feed_posts()[:FEED_ITEMS]]


class PostsAtomFeed(AtomMixin, PostsFeed):
    pass


class CategoryFeed(SiteFeed):
    def get_feed_object(self, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, context):
        return f"{context.site.author_name}: {context.obj.name}"

    def description(self, context):
        return context.obj.description or f"Posts filed under {context.obj.name}."

    def link(self, context):
        return absolute_url(context.obj.get_absolute_url())

    def items(self, context):
        posts = feed_posts().filter(categories=context.obj)
        return [post_item(post) for post in posts[:FEED_ITEMS]]


class CategoryAtomFeed(AtomMixin, CategoryFeed):
    pass


class SeriesFeed(SiteFeed):
    def get_feed_object(self, slug):
        return get_object_or_404(Series, slug=slug)

    def title(self, context):
        return f"{context.site.author_name}: {context.obj.title}"

    def description(self, context):
        return f"The posts of the series “{context.obj.title}”."

    def link(self, context):
        return absolute_url(context.obj.get_absolute_url())

    def items(self, context):
        posts = feed_posts().filter(series=context.obj)
        return [post_item(post) for post in posts[:FEED_ITEMS]]


class SeriesAtomFeed(AtomMixin, SeriesFeed):
    pass


class ProjectFeed(SiteFeed):
    """A project's releases."""

    def get_feed_object(self, slug):
        return get_object_or_404(Project, slug=slug)

    def title(self, context):
        return f"{context.obj.name} releases"

    def description(self, context):
        return context.obj.tagline or f"Releases of {context.obj.name}."

    def link(self, context):
        return absolute_url(context.obj.get_absolute_url())

    def items(self, context):
        releases = feed_releases().filter(project=context.obj)
        return [release_item(release) for release in releases[:FEED_ITEMS]]


class ProjectAtomFeed(AtomMixin, ProjectFeed):
    pass


class NewsletterFeed(SiteFeed):
    """Newsletter issues, as published on the site."""

    def title(self, context):
        return context.site.newsletter_name

    def description(self, context):
        return context.site.newsletter_pitch or f"{context.site.newsletter_name}: every issue."

    def link(self, context):
        return absolute_url(reverse("newsletter:index"))

    def items(self, context):
        return [issue_item(issue) for issue in Issue.objects.published()[:FEED_ITEMS]]


class NewsletterAtomFeed(AtomMixin, NewsletterFeed):
    pass


@dataclass(frozen=True)
class PodcastInfo:
    author: str
    description: str
    image: str
    category: str
    explicit: bool
    owner_email: str


class PodcastFeed(SiteFeed):
    """Every published post with an audio version, for podcast apps (RSS only)."""

    feed_type = PodcastRssFeed

    def title(self, context):
        return context.site.podcast_title or f"{context.site.author_name} (audio)"

    def description(self, context):
        site = context.site
        return site.podcast_description or site.site_description or self.title(context)

    def feed_extra_kwargs(self, context):
        site = context.site
        return {
            "podcast": PodcastInfo(
                author=site.author_name,
                description=self.description(context),
                image=absolute_url(site.podcast_artwork.url) if site.podcast_artwork else "",
                category=site.podcast_category or "Technology",
                explicit=site.podcast_explicit,
                owner_email=site.email,
            ),
        }

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        if obj.site.podcast_language:
            feed.feed["language"] = obj.site.podcast_language
        return feed

    def items(self, context):
        posts = feed_posts().exclude(audio="")[:PODCAST_EPISODES]
        items = [post_item(post) for post in posts]
        for item in items:
            item.explicit = context.site.podcast_explicit
        return items

    def item_extra_kwargs(self, item):
        return {
            **super().item_extra_kwargs(item),
            "duration": item.duration,
            "explicit": "true" if item.explicit else "false",
        }
