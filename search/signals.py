"""Keep the search index current when content changes.

The content apps' registrations (core.searchindex) send `documents_changed` and
`documents_removed`; SearchConfig.ready connects these handlers. Bulk operations
(`bulk_create`, `queryset.update`) send no signals: whoever uses them indexes what they
changed (see seed_demo), or runs `manage.py rebuild_search_index`.
"""

from django.db import connections

from core import searchindex
from search import index
from search.models import SearchEntry


def index_documents(sender, objects, **kwargs):
    if objects:
        entries = index.entries_for(sender, objects)
        index.save_entries(entries)
        indexed = {entry.object_id for entry in entries}
        if unsearchable := [obj.pk for obj in objects if obj.pk not in indexed]:
            index.remove_entries(sender.kind, unsearchable)


def remove_documents(sender, pks, **kwargs):
    index.remove_entries(sender.kind, pks)


def index_existing_content(sender, using="default", **kwargs):
    """After `migrate`: a site upgraded to a version with search gets its index built once
    (the index is empty but there is content)."""
    tables = connections[using].introspection.table_names()
    if SearchEntry._meta.db_table not in tables or SearchEntry.objects.using(using).exists():
        return
    if any(s.queryset().exists() for s in searchindex.searchables()):
        index.rebuild_index()
