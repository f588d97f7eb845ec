from django.contrib.postgres.search import SearchVectorField
from django.db import models

from core.models import PublishableQuerySet


class SearchEntryQuerySet(PublishableQuerySet):
    pass


class SearchEntry(models.Model):
    """One searchable item (a post, a release, a newsletter issue: whatever the content apps
    register with core.searchindex), denormalized. `kind` is the registered kind.

    Kept current by signal handlers (search.signals) and rebuilt by `manage.py
    rebuild_search_index`. Status and publication date are copied so that search filters by
    publication itself (`published()`), and a scheduled item is found from its publication
    time on. On PostgreSQL `search_vector` holds the weighted document (title A, summary B,
    body C) behind a GIN index that home's migration 0001 created on PostgreSQL only (it is
    not in Meta.indexes: SQLite rebuilds tables with every index of the model state, and it
    has no GIN). On SQLite the column stays empty and search falls back to `icontains`.
    """

    kind = models.CharField(max_length=10)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    # Category ids as ",3,7," so that `contains=",3,"` filters without a join.
    category_ids = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(max_length=10)
    published_at = models.DateTimeField()
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        # The table home created: the model moved apps, its rows did not.
        db_table = "home_searchentry"
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")
        ]
        indexes = [models.Index(fields=["status", "-published_at"], name="search_published_idx")]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.title}"
