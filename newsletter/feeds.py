"""The newsletter's issues as a feed (RSS and Atom), on the shared parts in core.feeds.

`latest_items` offers the newest issues to the site-wide feed.
"""

from django.urls import reverse

from core.feeds import FEED_ITEMS, AtomMixin, FeedItem, SiteFeed, item_guid
from core.links import absolute_url, absolutize_html
from newsletter.models import Issue


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


def latest_items() -> list[FeedItem]:
    """The newest issues, for the site-wide feed."""
    return [issue_item(issue) for issue in Issue.objects.published()[:FEED_ITEMS]]


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
