"""What posts contribute to the site search (core.searchindex); registered in BlogConfig."""

from django.db.models.signals import m2m_changed
from django.utils import timezone

from blog.models import Post
from core import searchindex
from core.markdown import html_to_text


def post_document(post) -> searchindex.Document:
    summary = post.teaser
    if post.meta_description and post.meta_description != post.teaser:
        summary = f"{summary} {post.meta_description}"
    return searchindex.Document(
        title=post.title,
        summary=summary,
        body=html_to_text(post.body_html),
        url=post.get_absolute_url(),
        status=post.status,
        published_at=post.published_at,
        category_ids=tuple(category.pk for category in post.categories.all()),
    )


def categories_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Categories of a post changed (from either side): the posts' updated_at moves (so
    does the content version) and their search documents are indexed again."""
    if action == "pre_clear" and reverse:
        instance._cleared_post_ids = list(instance.posts.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        post_ids = [instance.pk]
    elif action == "post_clear":
        post_ids = getattr(instance, "_cleared_post_ids", [])
    else:
        post_ids = list(pk_set or [])
    if not post_ids:
        return
    Post.objects.filter(pk__in=post_ids).update(updated_at=timezone.now())
    searchindex.changed(Post, post_ids)


def register():
    searchindex.register(
        Post,
        kind="post",
        label="Post",
        filter_label="Posts",
        document=post_document,
        queryset=lambda: Post.objects.prefetch_related("categories"),
    )
    m2m_changed.connect(
        categories_changed, sender=Post.categories.through, dispatch_uid="search-post-categories"
    )
