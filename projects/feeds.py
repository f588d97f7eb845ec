"""A project's releases as a feed (RSS and Atom), on the shared parts in core.feeds.

`latest_items` offers the newest releases to the site-wide feed.
"""

from django.shortcuts import get_object_or_404
from django.utils.html import escape

from core.feeds import FEED_ITEMS, AtomMixin, FeedItem, SiteFeed, item_guid
from core.links import absolute_url, absolutize_html
from projects.models import Project, Release


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


def feed_releases():
    return Release.objects.published().select_related("project")


def latest_items() -> list[FeedItem]:
    """The newest releases, for the site-wide feed."""
    return [release_item(release) for release in feed_releases()[:FEED_ITEMS]]


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
