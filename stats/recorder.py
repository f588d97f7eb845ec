"""Counting in memory, written to the database in aggregates.

Each process counts in memory (no database write per request) and flushes every
STATS_FLUSH_SECONDS (a background thread), when the worker exits (gunicorn's worker_exit,
and atexit), and when asked (`flush()`). A crash loses at most the last window's counts.

A flush is one transaction of set-based statements: views and referrers are added with
`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` (PostgreSQL and SQLite alike);
the day's visitor marks are inserted once each (`ON CONFLICT DO NOTHING`) and the unique
counts recomputed from them, so several processes seeing the same visitor count one; audio
ranges add up per visitor and file, and a file counts one download per visitor per day
once enough of it was fetched (stats.downloads).
"""

import atexit
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from stats import downloads
from stats.models import (
    DailyCrawler,
    DailyDownload,
    DailyFeed,
    DailyPath,
    DailyReferrer,
    VisitorMark,
)

logger = logging.getLogger(__name__)


@dataclass
class Window:
    """What one process counted since its last flush."""

    views: Counter = field(default_factory=Counter)  # (day, path)
    revalidations: Counter = field(default_factory=Counter)  # (day, path)
    marks: set = field(default_factory=set)  # (day, key, visitor)
    referrers: Counter = field(default_factory=Counter)  # (day, source, campaign)
    subscribers: dict = field(default_factory=dict)  # (day, feed, aggregator) → highest
    audio: Counter = field(default_factory=Counter)  # (day, path, visitor) → bytes
    crawlers: Counter = field(default_factory=Counter)  # (day, family, outcome)

    def __bool__(self):
        return any(
            [
                self.views,
                self.revalidations,
                self.marks,
                self.referrers,
                self.subscribers,
                self.audio,
                self.crawlers,
            ]
        )


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.window = Window()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # --- counting (the request path: a lock and a few dictionary updates) ---------------

    def view(self, day: date, path: str, visitor: str, source: tuple[str, str]):
        with self.lock:
            w = self.window
            w.views[(day, path)] += 1
            w.views[(day, "")] += 1
            w.marks.add((day, path, visitor))
            w.marks.add((day, "", visitor))
            w.referrers[(day, *source)] += 1
        self._ensure_thread()

    def revalidation(self, day: date, path: str):
        with self.lock:
            self.window.revalidations[(day, path)] += 1
        self._ensure_thread()

    def feed_fetch(self, day: date, feed: str, visitor: str, reported: tuple[str, int] | None):
        with self.lock:
            w = self.window
            w.marks.add((day, f"feed:{feed}", visitor))
            if reported:
                key = (day, feed, reported[0])
                w.subscribers[key] = max(w.subscribers.get(key, 0), reported[1])
        self._ensure_thread()

    def crawler(self, day: date, family: str, outcome: str):
        """outcome: served, refused or limited."""
        with self.lock:
            self.window.crawlers[(day, family, outcome)] += 1
        self._ensure_thread()

    def audio(self, day: date, path: str, visitor: str, sent: int):
        with self.lock:
            self.window.audio[(day, path, visitor)] += sent
        self._ensure_thread()

    # --- flushing ---------------------------------------------------------------------

    def flush(self) -> Window:
        """Write what was counted; returns it (empty when nothing was)."""
        with self.lock:
            window, self.window = self.window, Window()
        if window:
            try:
                write(window)
            except Exception:
                # The database is away: put the counts back for the next flush.
                logger.exception("Statistics flush failed; kept for the next one")
                with self.lock:
                    merge(self.window, window)
                return Window()
        return window

    def _ensure_thread(self):
        if settings.STATS_FLUSH_SECONDS <= 0:  # flushed only when asked (the tests)
            return
        if self._thread is None or not self._thread.is_alive():
            with self.lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, daemon=True, name="stats-flush"
                    )
                    self._thread.start()

    def _run(self):
        while not self._stop.wait(settings.STATS_FLUSH_SECONDS):
            self.flush()
            connection.close()  # this thread's own connection: not kept between flushes


def merge(into: Window, other: Window) -> None:
    into.views.update(other.views)
    into.revalidations.update(other.revalidations)
    into.marks |= other.marks
    into.referrers.update(other.referrers)
    for key, value in other.subscribers.items():
        into.subscribers[key] = max(into.subscribers.get(key, 0), value)
    into.audio.update(other.audio)
    into.crawlers.update(other.crawlers)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _add(model, keys: list[str], counted: str, rows: list[tuple], *, highest=False):
    """INSERT … ON CONFLICT (keys) DO UPDATE: add `counted` (or keep the highest)."""
    if not rows:
        return
    table = _table(model)
    columns = ", ".join([*keys, counted])
    marks = ", ".join(["%s"] * (len(keys) + 1))
    update = (
        (
            f"MAX({table}.{counted}, excluded.{counted})"
            if connection.vendor == "sqlite"
            else f"GREATEST({table}.{counted}, excluded.{counted})"
        )
        if highest
        else (f"{table}.{counted} + excluded.{counted}")
    )
    defaults = {
        DailyPath: ["views", "visitors", "revalidations"],
        DailyReferrer: ["views"],
        DailyFeed: ["subscribers", "fetchers"],
        DailyDownload: ["downloads"],
        DailyCrawler: ["served", "refused", "limited"],
    }[model]
    others = [c for c in defaults if c != counted]
    if others:
        columns += ", " + ", ".join(others)
        marks += ", " + ", ".join(["0"] * len(others))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {counted} = {update}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def write(window: Window) -> None:
    _add(DailyPath, ["day", "path"], "views", [(d, p, n) for (d, p), n in window.views.items()])
    _add(
        DailyPath,
        ["day", "path"],
        "revalidations",
        [(d, p, n) for (d, p), n in window.revalidations.items()],
    )
    _add(
        DailyReferrer,
        ["day", "source", "campaign"],
        "views",
        [(d, s, c, n) for (d, s, c), n in window.referrers.items()],
    )
    _add(
        DailyFeed,
        ["day", "feed", "aggregator"],
        "subscribers",
        [(d, f, a, n) for (d, f, a), n in window.subscribers.items()],
        highest=True,
    )
    for outcome in ("served", "refused", "limited"):
        rows = [(d, f, n) for (d, f, o), n in window.crawlers.items() if o == outcome]
        _add(DailyCrawler, ["day", "family"], outcome, rows)
    if window.marks:
        VisitorMark.objects.bulk_create(
            [VisitorMark(day=d, key=k, visitor=v) for d, k, v in window.marks],
            ignore_conflicts=True,
            batch_size=1000,
        )
        _recount(window.marks)
    if window.audio:
        downloads.add(window.audio)
    # Marks of days that are over go, with the day's salt: nothing raw is kept.
    VisitorMark.objects.filter(day__lt=timezone.localdate()).delete()


def _recount(marks: set) -> None:
    """Unique visitors of each key touched, from the marks (exact across processes)."""
    keys = {(d, k) for d, k, _ in marks}
    counts = (
        VisitorMark.objects.filter(day__in={d for d, _ in keys}, key__in={k for _, k in keys})
        .values_list("day", "key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for day, key, count in counts:
        if (day, key) not in keys:
            continue
        if key.startswith("feed:"):
            DailyFeed.objects.update_or_create(
                day=day, feed=key.removeprefix("feed:"), aggregator="", defaults={"fetchers": count}
            )
        elif not key.startswith("audio:"):
            DailyPath.objects.filter(day=day, path=key).update(visitors=count)


recorder = Recorder()
atexit.register(recorder.flush)
