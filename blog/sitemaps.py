"""The blog's sections of sitemap.xml: posts, archives, categories and series."""

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from blog.models import Category, Post, Series
from core.models import Status
from core.sitemaps import SiteSitemap, latest

# The blog's list pages, dated by the newest item of these sections.
LIST_PAGES = [("blog:archive", ("posts",)), ("blog:series_list", ("series",))]


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
        return latest(post.published_at, post.updated_at, post.last_update_at)


class ArchiveSitemap(SiteSitemap):
    """/archive/YYYY/ and /archive/YYYY/MM/, derived from the posts section (no query)."""

    priority = 0.3

    def __init__(self, posts: PostSitemap):
        self.posts = posts

    def get_items(self):
        newest = {}
        for post in self.posts.items():
            local = timezone.localtime(post.published_at)
            modified = self.posts.lastmod(post)
            for key in ((local.year,), (local.year, local.month)):
                newest[key] = latest(newest.get(key), modified)
        return sorted(newest.items(), reverse=True)

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
        return latest(category.latest, category.updated_at)


class SeriesSitemap(CategorySitemap):
    def get_items(self):
        return (
            Series.objects.annotate(latest=Max("posts__published_at", filter=_published_posts_q()))
            .filter(latest__isnull=False)
            .order_by("title")
        )


def sections() -> dict[str, SiteSitemap]:
    posts = PostSitemap()
    return {
        "posts": posts,
        "archives": ArchiveSitemap(posts),
        "categories": CategorySitemap(),
        "series": SeriesSitemap(),
    }
