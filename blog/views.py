from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import (
    ArchiveIndexView,
    DetailView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)

from blog.models import Category, Post
from core.views import PublishedMixin


class PostListMixin(PublishedMixin):
    model = Post
    paginate_by = settings.LIST_PAGE_SIZE

    def get_queryset(self):
        return super().get_queryset().for_lists()


class PostDetailView(PublishedMixin, DetailView):
    model = Post
    context_object_name = "post"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("categories")

    def get_context_data(self, **kwargs):
        post = self.object
        published = Post.objects.published().only("title", "slug", "published_at")
        at = post.published_at
        # Ties on the publication time are broken by id, the same order as every list.
        newer = published.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=post.pk))
        older = published.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=post.pk))
        return super().get_context_data(
            previous_post=older.order_by("-published_at", "-pk").first(),
            next_post=newer.order_by("published_at", "pk").first(),
            **kwargs,
        )


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
