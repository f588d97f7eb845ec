"""The newsletter's section of sitemap.xml: its published issues."""

from core.sitemaps import SiteSitemap, latest
from newsletter.models import Issue

# The newsletter's list page, dated by its newest issue.
LIST_PAGES = [("newsletter:index", ("issues",))]


class IssueSitemap(SiteSitemap):
    priority = 0.5

    def get_items(self):
        return Issue.objects.published().only("number", "published_at", "updated_at")

    def lastmod(self, issue):
        return latest(issue.published_at, issue.updated_at)


def sections() -> dict[str, SiteSitemap]:
    return {"issues": IssueSitemap()}
