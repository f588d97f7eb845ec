"""The projects' sections of sitemap.xml: projects and releases."""

from django.db.models import Max, Q
from django.utils import timezone

from core.models import Status
from core.sitemaps import SiteSitemap, latest
from projects.models import Project, Release

# The projects' list page, dated by the newest item of these sections.
LIST_PAGES = [("projects:list", ("projects",))]


class ProjectSitemap(SiteSitemap):
    priority = 0.6

    def get_items(self):
        released = Q(releases__status=Status.PUBLISHED, releases__published_at__lte=timezone.now())
        return Project.objects.annotate(latest=Max("releases__published_at", filter=released))

    def lastmod(self, project):
        return latest(project.latest, project.updated_at)


class ReleaseSitemap(SiteSitemap):
    priority = 0.5

    def get_items(self):
        return (
            Release.objects.published()
            .select_related("project")
            .only("version", "published_at", "updated_at", "project__slug")
        )

    def lastmod(self, release):
        return latest(release.published_at, release.updated_at)


def sections() -> dict[str, SiteSitemap]:
    return {"projects": ProjectSitemap(), "releases": ReleaseSitemap()}
