from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
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

from blog.cards import CARD_FIELDS, attach_categories
from blog.models import Category, Post, PostUpdate, Series
from core.links import absolute_url
from core.models import SiteSettings, Status
from core.pagination import CountlessPaginator
from core.partial import partial_instance
from core.prepared import PreparedQuery, json_value
from core.views import PublishedMixin

RELATED_POSTS = 3


# What an archive line (blog/archive.html) shows of each post; cards: blog.cards. A field a
# template reads beyond these costs a query per post.
ARCHIVE_FIELDS = ("title", "slug", "published_at", "audio")


class PostListMixin(PublishedMixin):
    """A paginated list of published posts. Pages only link to the newer and the older page,
    so they fetch one post more than they show instead of counting every post (see
    core.pagination); `?page=last` is a 404."""

    model = Post
    paginate_by = settings.LIST_PAGE_SIZE
    paginator_class = CountlessPaginator


def _neighbour(newer: bool, now) -> Subquery:
    """The next or the previous published post's pk, title and slug as one JSON object, a
    subquery of the post's row: one short walk of the (status, published_at) index.

    A plain range on the publication time, so two posts published in the same microsecond
    would skip each other, which real publishing never does."""
    if newer:
        side, order = Q(published_at__gt=OuterRef("published_at")), ("published_at", "pk")
    else:
        side, order = Q(published_at__lt=OuterRef("published_at")), ("-published_at", "-pk")
    neighbour = JSONObject(id="id", title="title", slug="slug")
    posts = Post.objects.published(now=now).filter(side)
    return Subquery(posts.order_by(*order).values(neighbour=neighbour)[:1])


def _with_page_columns(queryset, now):
    """The post row with what its page shows besides categories and update notes: the
    previous and next posts and the series, each a small JSON object in the same row
    (queries saved). The Markdown source of the body stays in the database: the page shows
    body_html."""
    series = Series.objects.filter(pk=OuterRef("series_id"))
    return queryset.defer("body").annotate(
        previous_neighbour=_neighbour(False, now),
        next_neighbour=_neighbour(True, now),
        series_card=Subquery(series.values(card=JSONObject(id="id", title="title", slug="slug"))),
    )


def detail_queryset(queryset):
    """Posts with their page's columns, categories and update notes (previews)."""
    return _with_page_columns(queryset, timezone.now()).prefetch_related("categories", "updates")


def _post_page_row(now, slug):
    return _with_page_columns(Post.objects.published(now=now).filter(slug=slug), now)


# The post row compiled once per process: with its three JSON subqueries it takes Django
# three times longer to compile than PostgreSQL to run. Saves 29 % of a post page's uncached
# time (scripts/prepared_bench.py).
POST_PAGE_ROW = PreparedQuery(_post_page_row, datetime, str)


def published_post_for_page(slug: str) -> Post | None:
    """The published post at `slug` with everything its page shows, in three queries."""
    found = POST_PAGE_ROW.objects(Post, timezone.now(), slug)
    if not found:
        return None
    post = found[0]
    post.category_list = list(Category.objects.filter(posts=post.pk))
    post.update_list = list(PostUpdate.objects.filter(post_id=post.pk))
    return post


def _attach_series(post) -> None:
    card = json_value(getattr(post, "series_card", None))
    if card and post.series_id:
        post.series = partial_instance(Series, card)


def _neighbour_post(post, name) -> Post | None:
    neighbour = json_value(getattr(post, f"{name}_neighbour", None))  # see _with_page_columns
    if not neighbour:
        return None
    return partial_instance(Post, neighbour)


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
RELATED_FIELDS = ("title", "slug", "published_at", "word_count")


def _related_query(now, post_id: int, category_ids: list[int], *, shape):
    """The related-posts query for `related_posts` (see there); compiled once per number of
    categories and `shape`, the (candidates, posts) limits (RELATED_QUERY)."""
    candidate_limit, post_limit = shape
    links = Post.categories.through.objects.filter(
        post_id=OuterRef("pk"), category_id__in=category_ids
    )
    candidates = (
        Post.objects.published(now=now)
        .filter(Exists(links))
        .exclude(pk=post_id)
        .order_by("-published_at", "-pk")
    )
    if len(category_ids) == 1:
        # Every candidate shares the one category: the newest ones are the answer.
        return candidates.only(*RELATED_FIELDS)[:post_limit]
    shared = links.order_by().values("post_id").annotate(n=Count("*")).values("n")
    return (
        Post.objects.filter(pk__in=Subquery(candidates.values("pk")[:candidate_limit]))
        .annotate(shared=Subquery(shared))
        .order_by("-shared", "-published_at", "-pk")
        .only(*RELATED_FIELDS)[:post_limit]
    )


# Saves 14-17 % of a post page's uncached time (scripts/prepared_bench.py).
RELATED_QUERY = PreparedQuery(_related_query, datetime, int, list)


def related_posts(post) -> list[Post]:
    """Up to three published posts sharing the most categories with `post`, newest first
    among ties (one query).

    Candidates are the RELATED_CANDIDATES newest posts in those categories, so the cost stays
    the same with ten thousand posts in a category: the database walks the publication-date
    index newest first, checks each post's categories through the (post, category) index
    and stops after RELATED_CANDIDATES rows; the number of shared categories is then
    counted the same way for those candidates only (a join of every row of the categories'
    links would read them all)."""
    category_ids = sorted(category.pk for category in post.category_list)
    if not category_ids:
        return []
    limits = (RELATED_CANDIDATES, RELATED_POSTS)
    return RELATED_QUERY.objects(Post, timezone.now(), post.pk, category_ids, shape=limits)


def post_page_context(post, site, *, preview=False) -> dict:
    """Everything post_detail.html shows besides the post itself (also used by previews)."""
    _attach_series(post)
    opengraph = {"og:site_name": site.author_name} | post.opengraph_tags
    if "og:image" not in opengraph and site.avatar:
        opengraph["og:image"] = absolute_url(site.avatar.url)
        opengraph["twitter:image"] = opengraph["og:image"]
    return {
        "site": site,
        "opengraph": opengraph,
        "json_ld": post.json_ld(site),
        "updates": post.update_list,
        "related_posts": related_posts(post),
        "previous_post": None if preview else _neighbour_post(post, "previous"),
        "next_post": None if preview else _neighbour_post(post, "next"),
        **series_context(post, include_self=preview),
    }


class PostDetailView(PublishedMixin, DetailView):
    model = Post
    context_object_name = "post"

    def get_object(self, queryset=None):
        post = published_post_for_page(self.kwargs["slug"])
        if post is None:
            raise Http404("No such post.")
        return post

    def get_context_data(self, **kwargs):
        site = SiteSettings.get_solo()
        return super().get_context_data(**post_page_context(self.object, site), **kwargs)


class CategoryView(PostListMixin, ListView):
    template_name = "blog/category.html"
    context_object_name = "posts"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        posts = super().get_queryset().filter(categories=self.category)
        return posts.only(*CARD_FIELDS)  # categories: attach_categories, below

    def get_context_data(self, **kwargs):
        context = super().get_context_data(category=self.category, **kwargs)
        attach_categories(context["posts"])
        return context


class ArchiveMixin(PostListMixin):
    date_field = "published_at"
    context_object_name = "posts"
    make_object_list = True
    allow_empty = True

    template_name = "blog/archive.html"

    def get_queryset(self):
        return super().get_queryset().only(*ARCHIVE_FIELDS)

    def get_archive_years(self, date_list):
        return Post.objects.published().dates("published_at", "year", order="DESC")

    def get_context_data(self, **kwargs):
        years = self.get_archive_years(kwargs.get("date_list"))
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

    def get_archive_years(self, date_list):
        return date_list  # the same years, already fetched by the view


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
