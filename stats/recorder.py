"""Counting in memory, written to the database in aggregates.

Each process counts in memory (no database write per request) and flushes every
STATS_FLUSH_SECONDS (a background thread), when the worker exits (gunicorn's worker_exit,
and atexit), and when asked (`flush()`). A crash loses at most the last window's counts.

A flush is one transaction of set-based statements: views and referrers are added with
`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` (PostgreSQL and SQLite alike);
unique visitors are HyperLogLog sketches (stats.sketch) merged into the day's, so several
processes seeing the same visitor count one, and no visitor's hash is written; audio
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
from django.utils import timezone

from stats import downloads, sketch
from stats.models import (
    DailyCrawler,
    DailyDownload,
    DailyFeed,
    DailyPath,
    DailyReferrer,
    DailySketch,
    VisitorMark,
)

logger = logging.getLogger(__name__)


@dataclass
class Window:
    """What one process counted since its last flush."""

    views: Counter = field(default_factory=Counter)  # (day, path)
    revalidations: Counter = field(default_factory=Counter)  # (day, path)
    sketches: dict = field(default_factory=dict)  # (day, key) → HyperLogLog registers
    referrers: Counter = field(default_factory=Counter)  # (day, source, campaign)
    subscribers: dict = field(default_factory=dict)  # (day, feed, aggregator) → highest
    audio: Counter = field(default_factory=Counter)  # (day, path, visitor) → bytes
    crawlers: Counter = field(default_factory=Counter)  # (day, family, outcome)

    def __bool__(self):
        return any(
            [
                self.views,
                self.revalidations,
                self.sketches,
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

    def view(self, day: date, path: str, visitor: int, source: tuple[str, str]):
        with self.lock:
            w = self.window
            w.views[(day, path)] += 1
            w.views[(day, "")] += 1
            _seen(w, day, path, visitor)
            _seen(w, day, "", visitor)
            w.referrers[(day, *source)] += 1
        self._ensure_thread()

    def revalidation(self, day: date, path: str):
        with self.lock:
            self.window.revalidations[(day, path)] += 1
        self._ensure_thread()

    def feed_fetch(self, day: date, feed: str, visitor: int, reported: tuple[str, int] | None):
        with self.lock:
            w = self.window
            _seen(w, day, f"feed:{feed}", visitor)
            if reported:
                key = (day, feed, reported[0])
                w.subscribers[key] = max(w.subscribers.get(key, 0), reported[1])
        self._ensure_thread()

    def crawler(self, day: date, family: str, outcome: str):
        """outcome: served, refused or limited."""
        with self.lock:
            self.window.crawlers[(day, family, outcome)] += 1
        self._ensure_thread()

    def audio(self, day: date, path: str, visitor: int, sent: int):
        with self.lock:
            self.window.audio[(day, path, f"{visitor:016x}")] += sent
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


def _seen(window: Window, day: date, key: str, visitor: int) -> None:
    registers = window.sketches.get((day, key))
    if registers is None:
        registers = window.sketches[(day, key)] = sketch.empty()
    sketch.add(registers, visitor)


def merge(into: Window, other: Window) -> None:
    into.views.update(other.views)
    into.revalidations.update(other.revalidations)
    for key, registers in other.sketches.items():
        if key in into.sketches:
            sketch.merge(into.sketches[key], registers)
        else:
            into.sketches[key] = registers
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
    for (day, key), registers in window.sketches.items():
        _merge_sketch(day, key, registers)
    if window.audio:
        downloads.add(window.audio)
    # Sketches and marks of days that are over go, with the day's salt: nothing raw is kept.
    today = timezone.localdate()
    DailySketch.objects.filter(day__lt=today).delete()
    VisitorMark.objects.filter(day__lt=today).delete()


def _merge_sketch(day: date, key: str, registers: bytearray) -> None:
    """Merge this process's registers into the day's (row locked: other processes merge
    theirs too) and write the unique count they give."""
    blank = {"registers": bytes(sketch.REGISTERS)}
    stored, _ = DailySketch.objects.get_or_create(day=day, key=key, defaults=blank)
    stored = DailySketch.objects.select_for_update().get(pk=stored.pk)
    merged = sketch.merge(bytearray(stored.registers), registers)
    DailySketch.objects.filter(pk=stored.pk).update(registers=bytes(merged))
    unique = sketch.count(merged)
    if key.startswith("feed:"):
        feed = key.removeprefix("feed:")
        DailyFeed.objects.update_or_create(
            day=day, feed=feed, aggregator="", defaults={"fetchers": unique}
        )
    else:
        DailyPath.objects.filter(day=day, path=key).update(visitors=unique)


recorder = Recorder()
atexit.register(recorder.flush)
