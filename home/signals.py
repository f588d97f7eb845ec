"""Keep the search index current when content changes.

Connected in HomeConfig.ready. Bulk operations (`bulk_create`, `queryset.update`) send no
signals: whoever uses them indexes what they changed (see seed_demo), or runs
`manage.py rebuild_search_index`.
"""

from django.utils import timezone

from home import search


def post_categories_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Categories of a post changed (from either side): update the search entries'
    category ids, and the posts' updated_at so the content version moves."""
    from blog.models import Post

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
    through = Post.categories.through
    categories = {post_id: [] for post_id in post_ids}
    for post_id, category_id in through.objects.filter(post_id__in=post_ids).values_list(
        "post_id", "category_id"
    ):
        categories[post_id].append(category_id)
    for post_id, ids in categories.items():
        search.SearchEntry.objects.filter(kind=search.Kind.POST, object_id=post_id).update(
            category_ids=search.category_ids_value(ids)
        )


def index_post(sender, instance, raw=False, **kwargs):
    if not raw:
        search.save_entries([search.entry_for_post(instance)])


def index_release(sender, instance, raw=False, **kwargs):
    if not raw:
        search.save_entries([search.entry_for_release(instance)])


def index_issue(sender, instance, raw=False, **kwargs):
    if not raw:
        search.save_entries([search.entry_for_issue(instance)])


def reindex_project_releases(sender, instance, raw=False, **kwargs):
    """A project's slug or name is part of its releases' addresses and titles."""
    if raw:
        return
    releases = list(instance.releases.all())
    for release in releases:
        release.project = instance
    search.save_entries([search.entry_for_release(release) for release in releases])


def unindex(kind):
    def handler(sender, instance, **kwargs):
        search.remove_entry(kind, instance.pk)

    return handler


def index_existing_content(sender, using="default", **kwargs):
    """After `migrate`: a site upgraded to a version with search gets its index built once
    (the index is empty but there is content)."""
    from django.db import connections

    from blog.models import Post
    from home.models import SearchEntry
    from newsletter.models import Issue
    from projects.models import Release

    tables = connections[using].introspection.table_names()
    if SearchEntry._meta.db_table not in tables or SearchEntry.objects.using(using).exists():
        return
    if Post.objects.exists() or Release.objects.exists() or Issue.objects.exists():
        search.rebuild_index()
