"""Posts in the previews of drafts and scheduled items (core.previews)."""

from django.shortcuts import get_object_or_404

from blog.models import Post
from blog.views import detail_queryset, post_page_context
from core import previews


def _post(pk):
    return get_object_or_404(detail_queryset(Post.objects.all()), pk=pk)


def _post_page(post, site):
    context = {"post": post, **post_page_context(post, site, preview=True)}
    return "blog/post_detail.html", context


def register():
    previews.register("post", Post, _post, _post_page)
