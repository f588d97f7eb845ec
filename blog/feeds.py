"""The blog's feeds: all posts, a category's, a series', and the podcast (posts with audio).

On the shared parts in core.feeds; a post's `updated` date is its newest update note (see
Post.revised_at). `latest_items` offers the newest posts to the site-wide feed.
"""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Enclosure

from blog.models import Category, Post, Series
from core.feeds import FEED_ITEMS, AtomMixin, FeedItem, RssFeed, SiteFeed, item_guid
from core.links import absolute_url, absolutize_html
from core.podcast import split_category

PODCAST_EPISODES = 300
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


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


def feed_posts():
    return Post.objects.published().prefetch_related("categories", "updates")


def latest_items() -> list[FeedItem]:
    """The newest posts, for the site-wide feed."""
    return [post_item(post) for post in feed_posts()[:FEED_ITEMS]]


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


# --- The podcast ----------------------------------------------------------------------------


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
