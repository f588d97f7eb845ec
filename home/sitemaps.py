"""sitemap.xml: every published page, with its last modification (django.contrib.sitemaps).

Each section reads its items once, as a list, so the page costs one query per section and no
COUNT; URLs are absolute, from SITE_URL.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from blog.models import Category, Post, Series
from core.models import Status
from core.pagecache import vary_on_query
from newsletter.models import Issue
from projects.models import Project, Release


def _latest(*dates):
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


def _published_posts_q(prefix="posts__"):
    return Q(**{f"{prefix}status": Status.PUBLISHED, f"{prefix}published_at__lte": timezone.now()})


class PostSitemap(SiteSitemap):
    priority = 0.8

    def get_items(self):
        return (
            Post.objects.published()
            .with_last_update()
            .only("slug", "published_at", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, post):
        return _latest(post.published_at, post.updated_at, post.last_update_at)


class ArchiveSitemap(SiteSitemap):
    """/archive/YYYY/ and /archive/YYYY/MM/, derived from the posts section (no query)."""

    priority = 0.3

    def __init__(self, posts: PostSitemap):
        self.posts = posts

    def get_items(self):
        latest = {}
        for post in self.posts.items():
            local = timezone.localtime(post.published_at)
            modified = self.posts.lastmod(post)
            for key in ((local.year,), (local.year, local.month)):
                latest[key] = _latest(latest.get(key), modified)
        return sorted(latest.items(), reverse=True)

    def location(self, item):
        key, _ = item
        if len(key) == 1:
            return reverse("blog:archive_year", args=key)
        return reverse("blog:archive_month", args=key)

    def lastmod(self, item):
        return item[1]


class CategorySitemap(SiteSitemap):
    priority = 0.5

    def get_items(self):
        return (
            Category.objects.annotate(
                latest=Max("posts__published_at", filter=_published_posts_q())
            )
            .filter(latest__isnull=False)
            .order_by("name")
        )

    def lastmod(self, category):
        return _latest(category.latest, category.updated_at)


class SeriesSitemap(CategorySitemap):
    def get_items(self):
        return (
            Series.objects.annotate(latest=Max("posts__published_at", filter=_published_posts_q()))
            .filter(latest__isnull=False)
            .order_by("title")
        )


class ProjectSitemap(SiteSitemap):
    priority = 0.6

    def get_items(self):
        released = Q(releases__status=Status.PUBLISHED, releases__published_at__lte=timezone.now())
        return Project.objects.annotate(latest=Max("releases__published_at", filter=released))

    def lastmod(self, project):
        return _latest(project.latest, project.updated_at)


class ReleaseSitemap(SiteSitemap):
    priority = 0.5

    def get_items(self):
        return (
            Release.objects.published()
            .select_related("project")
            .only("version", "published_at", "updated_at", "project__slug")
        )

    def lastmod(self, release):
        return _latest(release.published_at, release.updated_at)


class IssueSitemap(SiteSitemap):
    priority = 0.5

    def get_items(self):
        return Issue.objects.published().only("number", "published_at", "updated_at")

    def lastmod(self, issue):
        return _latest(issue.published_at, issue.updated_at)


class PageSitemap(SiteSitemap):
    """The list pages; each changes when the newest item it lists does."""

    priority = 1.0

    def __init__(self, sections: dict[str, SiteSitemap]):
        self.sections = sections

    def get_items(self):
        def newest(*names):
            return _latest(*(self.sections[name].get_latest_lastmod() for name in names))

        pages = [
            ("home:index", newest("posts", "releases", "issues")),
            ("blog:archive", newest("posts")),
            ("blog:series_list", newest("series")),
            ("projects:list", newest("projects")),
            ("newsletter:index", newest("issues")),
        ]
        return [(name, lastmod) for name, lastmod in pages if lastmod]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]


@vary_on_query("p")  # Django's sitemap view numbers its pages with ?p=
def sitemap(request):
    posts = PostSitemap()
    sections = {
        "posts": posts,
        "archives": ArchiveSitemap(posts),
        "categories": CategorySitemap(),
        "series": SeriesSitemap(),
        "projects": ProjectSitemap(),
        "releases": ReleaseSitemap(),
        "issues": IssueSitemap(),
    }
    sitemaps = {"pages": PageSitemap(sections), **sections}
    return django_sitemap(request, sitemaps=sitemaps)
