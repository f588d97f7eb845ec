"""The site's content version: one value that changes whenever what readers see changes.

Pages and feeds send it as a weak `ETag` (plus a `Last-Modified` date) and answer
`If-None-Match` / `If-Modified-Since` with 304 Not Modified, without rendering anything.
A full page cache can later key its entries on `content_version().etag` the same way.

The version is computed, never stored, in ONE query: for every registered source (the
content models, their related models, the site settings) it reads the number of rows and
the newest change time. For publishable models only published rows count (through
`published()`), and the newest `published_at` counts as a change time too. So:

- saving anything bumps an `updated_at` column (and `queryset.update()` callers must set
  `updated_at` themselves, as the admin actions do);
- a scheduled item that becomes visible changes the published count and the newest
  publication time, with nothing run at that moment;
- unpublishing changes the count; a deletion changes the count, and `ContentChange`
  records its time so that `Last-Modified` moves forward too (see `touch()`).

Deliberately left out: the newsletter's reader count in signup boxes (a few minutes of an
old "Join N readers" are harmless, and signups must not invalidate every page) and the
year in the footer. Template files are part of the ETag (a deploy that changes them
changes every ETag), Python code is not: bump `VERSION_SALT` for code-only changes that
alter pages.

Each app registers its own sources in its AppConfig.ready(), so core imports none of them.
Reader pages send the version through `core.readerpage.reader_page`.
"""

import functools
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# Change it to invalidate every ETag after a code change that alters pages.
VERSION_SALT = "1"


@dataclass(frozen=True)
class Source:
    model: type
    timestamps: tuple[str, ...]
    published: bool


_sources: list[Source] = []


def register(model, *timestamps: str, published: bool = False, touch_on_delete: bool = True):
    """Make changes to `model` change the content version.

    `timestamps` name the columns whose newest value is a change time (`updated_at` by
    default); `published=True` counts only rows `model.objects.published()` returns.
    A deletion is recorded with `touch()` so that Last-Modified moves forward too
    (`touch_on_delete=False` for ContentChange itself)."""
    timestamps = timestamps or ("updated_at",)
    if len(timestamps) > 2:
        raise ValueError("At most two timestamp columns per source.")
    if not any(source.model is model for source in _sources):
        _sources.append(Source(model, tuple(timestamps), published))
        # Any save or delete makes the cached version (and every cached page) stale.
        for signal in (post_save, post_delete):
            signal.connect(invalidate, sender=model, weak=False, dispatch_uid=f"v-{model}")
        if touch_on_delete:
            post_delete.connect(_deleted, sender=model, weak=False, dispatch_uid=f"touch-{model}")


def registered_models() -> list[type]:
    return [source.model for source in _sources]


@dataclass(frozen=True)
class ContentVersion:
    etag: str  # a weak ETag, quoted, ready for the header
    last_modified: datetime | None

    @property
    def last_modified_timestamp(self) -> int | None:
        return int(self.last_modified.timestamp()) if self.last_modified else None


def _as_datetime(value):
    if isinstance(value, str):  # SQLite hands back text from raw SQL
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _source_sql(index: int, source: Source) -> tuple[str, list]:
    manager = source.model._default_manager
    queryset = manager.published() if source.published else manager.all()
    # Every part of the UNION has the same columns: a second timestamp repeats the first.
    first, second = (*source.timestamps, source.timestamps[0])[:2]
    inner = queryset.order_by().values(t0=F(first), t1=F(second))
    inner_sql, params = inner.query.sql_with_params()
    return f"SELECT {index}, COUNT(*), MAX(v.t0), MAX(v.t1) FROM ({inner_sql}) v", list(params)


@functools.cache
def _templates_fingerprint() -> str:
    """A hash of the project's template files, computed once per process."""
    digest = hashlib.sha1(usedforsecurity=False)
    for engine in settings.TEMPLATES:
        for path in sorted(p for d in engine.get("DIRS", []) for p in Path(d).rglob("*.html")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def content_version() -> ContentVersion:
    """The current version of everything readers can see (one query)."""
    parts, params = [], []
    for index, source in enumerate(_sources):
        sql, source_params = _source_sql(index, source)
        parts.append(sql)
        params.extend(source_params)
    rows = []
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            rows = sorted(cursor.fetchall())
    stamps = []
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{VERSION_SALT}:{_templates_fingerprint()}".encode())
    for index, count, *times in rows:
        times = [_as_datetime(value) for value in times]
        stamps.extend(value for value in times if value is not None)
        digest.update(f"|{index}:{count}:{','.join(str(t) for t in times)}".encode())
    return ContentVersion(
        etag=f'W/"{digest.hexdigest()[:24]}"', last_modified=max(stamps, default=None)
    )


def next_scheduled_time():
    """When the next scheduled item (published, with a future date) becomes visible, or
    None. Pages must be considered changed from that moment on."""
    now = timezone.now()
    times = [
        source.model._default_manager.scheduled()
        .filter(published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
        for source in _sources
        if source.published
    ]
    times = [value for value in times if value is not None]
    return min(times, default=None)


def touch():
    """Record that reader-visible content changed in a way no timestamp shows (a deletion)."""
    from core.models import ContentChange

    now = timezone.now()
    if not ContentChange.objects.filter(pk=1).update(changed_at=now):
        ContentChange.objects.create(pk=1, changed_at=now)


def _deleted(sender, instance, **kwargs):
    # In the deleting transaction: a rollback undoes the mark with the deletion.
    touch()


def _version_key() -> str:
    """Where the cached version lives. The key names the code and templates it was computed
    for, so a deploy that changes them starts from a fresh version (and fresh pages) even
    when the cache, Redis say, outlives the processes."""
    return f"content-version:{VERSION_SALT}:{_templates_fingerprint()[:12]}"


def _cache():
    from django.core.cache import caches

    return caches[settings.PAGE_CACHE_ALIAS]


def current_version() -> dict:
    """The content version, from the cache when it is there (no query at all).

    {"etag", "last_modified" (POSIX seconds or None), "next_change_at" (or None)}.

    Computing the version costs a query, so the result is kept in Django's cache (Redis
    when `REDIS_URL` is set, otherwise a cache the processes of one machine share) with the
    time the next scheduled item becomes visible. It is dropped:

    - when any registered model is saved or deleted, or a post's categories change (signal
      handlers call `invalidate()` once the transaction commits);
    - when the next scheduled publication time has passed: the next request notices and
      recomputes, so a scheduled post appears on time with no job to run;
    - by `invalidate()` from code that changes rows without signals (`update()` in admin
      actions, `bulk_create` in seeding).

    One site-wide version rather than per-object keys keeps invalidation exact and simple:
    any change makes every page fresh on its next request. A personal blog changes a few
    times a day, so re-rendering each page once after a change costs little.
    """
    cache = _cache()
    data = cache.get(_version_key())
    now = time.time()
    if data is not None and (data["next_change_at"] is None or now < data["next_change_at"]):
        return data
    version = content_version()
    upcoming = next_scheduled_time()
    data = {
        "etag": version.etag,
        "last_modified": version.last_modified_timestamp,
        "next_change_at": upcoming.timestamp() if upcoming else None,
    }
    cache.set(_version_key(), data, timeout=None)
    return data


def invalidate(**kwargs) -> None:
    """Forget the cached content version now and again once the current transaction
    commits (a signal handler, hence **kwargs).

    Now: later queries in this transaction see the change. At commit: another process may
    have cached the old version in between, from data that did not show the change yet."""
    key = _version_key()
    _cache().delete(key)
    transaction.on_commit(lambda: _cache().delete(key))
