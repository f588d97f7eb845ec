from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import (
    ArchiveIndexView,
    DetailView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)

from blog.models import Category, Post, Series
from core.links import absolute_url
from core.models import SiteSettings, Status
from core.views import PublishedMixin

RELATED_POSTS = 3


class PostListMixin(PublishedMixin):
    model = Post
    paginate_by = settings.LIST_PAGE_SIZE

    def get_queryset(self):
        return super().get_queryset().for_lists()


def _neighbour(newer: bool, field: str) -> Subquery:
    """The next or previous published post's `field`, as a subquery of the post's row.

    A plain range on the publication time, so each subquery is one short walk of the
    (status, published_at) index; two posts published in the same microsecond would skip
    each other, which real publishing never does."""
    if newer:
        condition, order = Q(published_at__gt=OuterRef("published_at")), ("published_at", "pk")
    else:
        condition, order = Q(published_at__lt=OuterRef("published_at")), ("-published_at", "-pk")
    return Subquery(Post.objects.published().filter(condition).order_by(*order).values(field)[:1])


def detail_queryset(queryset):
    """The post with what its page needs: categories, update notes, series, and the
    previous and next posts as subqueries of the same row (two queries saved)."""
    neighbours = {
        f"{name}_{field}": _neighbour(newer, field)
        for name, newer in (("previous", False), ("next", True))
        for field in ("pk", "title", "slug")
    }
    return (
        queryset.select_related("series")
        .prefetch_related("categories", "updates")
        .annotate(**neighbours)
    )


def _neighbour_post(post, name):
    pk = getattr(post, f"{name}_pk", None)
    if pk is None:
        return None
    return Post(pk=pk, title=getattr(post, f"{name}_title"), slug=getattr(post, f"{name}_slug"))


def series_context(post, *, include_self=False) -> dict:
    """The post's series, its published parts in order and where the post stands."""
    if not post.series_id:
        return {}
    visible = Q(status=Status.PUBLISHED, published_at__lte=timezone.now())
    if include_self:  # a preview shows the draft in its place
        visible |= Q(pk=post.pk)
    parts = list(post.series.ordered_posts().filter(visible).only("title", "slug", "series_id"))
    position = next((i for i, part in enumerate(parts, 1) if part.pk == post.pk), None)
    return {"series": post.series, "series_posts": parts, "series_position": position}


RELATED_CANDIDATES = 200


def related_posts(post) -> list[Post]:
    """Up to three published posts sharing the most categories with `post` (one query).

    Candidates are the RELATED_CANDIDATES newest posts in those categories, so the cost stays
    the same with ten thousand posts in a category."""
    category_ids = [category.pk for category in post.categories.all()]
    if not category_ids:
        return []
    # EXISTS rather than a join: the database walks the publication-date index newest first
    # and stops after RELATED_CANDIDATES rows.
    in_categories = Post.categories.through.objects.filter(
        post_id=OuterRef("pk"), category_id__in=category_ids
    )
    candidates = (
        Post.objects.published()
        .filter(Exists(in_categories))
        .exclude(pk=post.pk)
        .order_by("-published_at")
        .values("pk")[:RELATED_CANDIDATES]
    )
    return list(
        Post.objects.filter(pk__in=Subquery(candidates), categories__in=category_ids)
        .annotate(shared=Count("categories"))
        .order_by("-shared", "-published_at", "-pk")
        .only("title", "slug", "published_at", "word_count")[:RELATED_POSTS]
    )


def post_page_context(post, site, *, preview=False) -> dict:
    """Everything post_detail.html shows besides the post itself (also used by previews)."""
    opengraph = {"og:site_name": site.author_name} | post.opengraph_tags
    if "og:image" not in opengraph and site.avatar:
        opengraph["og:image"] = absolute_url(site.avatar.url)
        opengraph["twitter:image"] = opengraph["og:image"]
    return {
        "site": site,
        "opengraph": opengraph,
        "json_ld": post.json_ld(site),
        "updates": list(post.updates.all()),
        "related_posts": related_posts(post),
        "previous_post": None if preview else _neighbour_post(post, "previous"),
        "next_post": None if preview else _neighbour_post(post, "next"),
        **series_context(post, include_self=preview),
    }


class PostDetailView(PublishedMixin, DetailView):
    model = Post
    context_object_name = "post"

    def get_queryset(self):
        return detail_queryset(super().get_queryset())

    def get_context_data(self, **kwargs):
        site = SiteSettings.get_solo()
        return super().get_context_data(**post_page_context(self.object, site), **kwargs)


class CategoryView(PostListMixin, ListView):
    template_name = "blog/category.html"
    context_object_name = "posts"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return super().get_queryset().filter(categories=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class ArchiveMixin(PostListMixin):
    date_field = "published_at"
    context_object_name = "posts"
    make_object_list = True
    allow_empty = True

    template_name = "blog/archive.html"

    def get_context_data(self, **kwargs):
        years = Post.objects.published().dates("published_at", "year", order="DESC")
        return super().get_context_data(archive_years=years, **kwargs)


class PeriodArchiveMixin(ArchiveMixin):
    """A year or a month: 404 when it has no posts, judged from the date list the view
    computes anyway (Django's allow_empty=False would spend a query of its own)."""

    def get_dated_items(self):
        date_list, object_list, extra = super().get_dated_items()
        if not date_list:
            raise Http404("No posts in this period.")
        return date_list, object_list, extra

    # The year list replaces "next/previous period" links, which cost two queries each.
    def get_next_year(self, date):
        return None

    def get_previous_year(self, date):
        return None

    def get_next_month(self, date):
        return None

    def get_previous_month(self, date):
        return None


class ArchiveView(ArchiveMixin, ArchiveIndexView):
    date_list_period = "year"


class YearArchive(PeriodArchiveMixin, YearArchiveView):
    pass


class MonthArchive(PeriodArchiveMixin, MonthArchiveView):
    month_format = "%m"
    date_list_period = "day"


class SeriesListView(ListView):
    """Every series with at least one published post, with how many it has."""

    template_name = "blog/series_list.html"
    context_object_name = "series_list"

    def get_queryset(self):
        published = Q(posts__status=Status.PUBLISHED, posts__published_at__lte=timezone.now())
        return (
            Series.objects.annotate(post_count=Count("posts", filter=published))
            .filter(post_count__gt=0)
            .order_by("title")
        )


class SeriesDetailView(DetailView):
    """A series' description and its published posts in reading order."""

    model = Series
    context_object_name = "series"
    template_name = "blog/series_detail.html"

    def get_context_data(self, **kwargs):
        posts = self.object.ordered_posts().published().for_lists()
        return super().get_context_data(posts=posts, **kwargs)
