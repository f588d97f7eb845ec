"""Indexing: what the content apps register (core.searchindex) copied into one table,
`search.SearchEntry` (see its docstring), by the handlers in search.signals, by bulk
importers such as `seed_demo`, and by `manage.py rebuild_search_index`.

On PostgreSQL each entry also gets a stored, weighted vector (title A, summary B, body C)
in the language of the site (`search_config`)."""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Q

from core import searchindex
from search.models import SearchEntry

BATCH_SIZE = 500
# PostgreSQL's built-in text search configurations, by language code.
CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nb": "norwegian", "nl": "dutch",
    "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish",
    "tr": "turkish",
}  # fmt: skip
# ts_headline marks matches with these; they are stripped from indexed text, so after
# escaping the snippet they can safely become <mark> tags.
MARK_START, MARK_END = "\ue000", "\ue001"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000\ue001]")
_SPACES = re.compile(r"\s+")


def search_config() -> str:
    return CONFIGS.get(settings.LANGUAGE_CODE.split("-")[0].lower(), "simple")


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def clean(text: str) -> str:
    """No control characters (nor the snippet marks), single spaces."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", text or "")).strip()


def category_ids_value(ids) -> str:
    """[3, 7] → ",3,7,", so that `category_ids__contains=",3,"` finds category 3."""
    ids = sorted(ids)
    return "".join(f",{pk}" for pk in ids) + ("," if ids else "")


def entry(kind: str, object_id: int, document: searchindex.Document) -> SearchEntry:
    return SearchEntry(
        kind=kind,
        object_id=object_id,
        title=clean(document.title)[:300],
        summary=clean(document.summary),
        body=clean(document.body),
        url=document.url,
        category_ids=category_ids_value(document.category_ids),
        status=document.status,
        published_at=document.published_at,
    )


def entries_for(searchable: searchindex.Searchable, objects) -> list[SearchEntry]:
    return [entry(searchable.kind, pk, doc) for pk, doc in searchable.documents(objects)]


def index_objects(model, objects):
    """Index (or index again) these objects of a registered model; for bulk writers, whose
    `bulk_create` and `update` send no signals."""
    save_entries(entries_for(searchindex.for_model(model), objects))


def document_vector() -> SearchVector:
    config = search_config()
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )


def save_entries(entries: list[SearchEntry]):
    """Insert or update entries (by kind and object id), then compute their vectors."""
    fields = ["title", "summary", "body", "url", "category_ids", "status", "published_at"]
    for start in range(0, len(entries), BATCH_SIZE):
        batch = entries[start : start + BATCH_SIZE]
        SearchEntry.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=fields,
        )
        if uses_postgres():
            keys = Q(pk__in=[])
            for kind in {entry.kind for entry in batch}:
                ids = [entry.object_id for entry in batch if entry.kind == kind]
                keys |= Q(kind=kind, object_id__in=ids)
            SearchEntry.objects.filter(keys).update(search_vector=document_vector())


def remove_entries(kind: str, object_ids):
    SearchEntry.objects.filter(kind=kind, object_id__in=list(object_ids)).delete()


def rebuild_index() -> dict[str, int]:
    """Index everything registered from scratch. Returns counts by kind."""
    SearchEntry.objects.all().delete()
    counts = {}
    for searchable in searchindex.searchables():
        objects = searchable.queryset().order_by("pk").iterator(chunk_size=1000)
        entries = entries_for(searchable, objects)
        save_entries(entries)
        counts[searchable.kind] = len(entries)
    return counts
