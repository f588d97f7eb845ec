"""Polling, for projects without webhooks: `manage.py sync_releases` and the worker, every
RELEASE_POLL_SECONDS (an hour by default), read each configured source with a conditional
request (ETag / If-Modified-Since: an unchanged list costs a 304 and nothing else).

Errors never stop the others: each project and each source is tried on its own; a failure
is recorded on its ReleaseFeed (the admin shows it) and that source is next tried after a
back-off (5 minutes, doubling, at most a day), or when a rate-limited API says it may.

The schedule is one chain of tasks whatever the number of workers: the ReleasePolling
row holds the time the live task is for; a task runs only if it wins that time by a
conditional UPDATE, and a worker that starts re-arms a chain whose task was lost. The task
lives in projects.tasks, which passes in how to enqueue the next one.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.fetch import FetchError, get_json
from projects.imports import sources
from projects.imports.apply import Outcome, apply
from projects.models import Project, ReleaseFeed, ReleasePolling

logger = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(days=1)
LOST_AFTER = timedelta(minutes=30)

EnqueuePoll = Callable[[datetime], object]


@dataclass(frozen=True)
class Source:
    field: str  # the project field that names it there
    url: Callable[[str], str]
    read: Callable[[object, str], list]  # (the answer's JSON, the name) → UpstreamReleases
    headers: Callable[[], dict] = dict


# The first listed that has a version keeps it (GitHub's notes are richer than a
# registry's bare version).
SOURCES = {
    "github": Source("github_repo", sources.github_releases_url,
                     lambda data, name: sources.github_list(data), sources.github_headers),
    "gitlab": Source("gitlab_project", sources.gitlab_releases_url,
                     lambda data, name: sources.gitlab_list(data)),
    "pypi": Source("pypi_name", sources.pypi_url, sources.pypi_list),
    "npm": Source("npm_name", sources.npm_url, sources.npm_list),
}  # fmt: skip


def configured(project: Project) -> list[str]:
    return [name for name, source in SOURCES.items() if getattr(project, source.field)]


def backoff(failures: int) -> timedelta:
    return min(BACKOFF_FIRST * 2 ** max(failures - 1, 0), BACKOFF_MAX)


def sync_source(project: Project, source: str, *, force: bool = False, now=None) -> str:
    """Read one source of one project; returns what happened, in words."""
    now = now or timezone.now()
    feed, _ = ReleaseFeed.objects.get_or_create(project=project, source=source)
    if not force and feed.next_check_at and feed.next_check_at > now:
        return f"waiting until {timezone.localtime(feed.next_check_at):%Y-%m-%d %H:%M}"
    interval = timedelta(seconds=settings.RELEASE_POLL_SECONDS)
    reader = SOURCES[source]
    name = getattr(project, reader.field)
    try:
        answer = get_json(reader.url(name), etag=feed.etag, last_modified=feed.last_modified,
                          headers=reader.headers())  # fmt: skip
        outcomes: list[Outcome] = []
        if answer.status != 304:
            outcomes = [apply(project, upstream) for upstream in reader.read(answer.data, name)]
    except (FetchError, sources.PayloadError) as error:
        return _failed(feed, now, str(error), getattr(error, "retry_after", None))
    except Exception as error:  # a bug must not stop the other projects' polling
        logger.exception("Polling %s on %s failed", project, source)
        return _failed(feed, now, f"unexpected error: {error}", None)
    feed.etag, feed.last_modified = answer.etag[:300], answer.last_modified[:100]
    feed.checked_at, feed.next_check_at = now, now + interval
    feed.failures, feed.last_error = 0, ""
    feed.save()
    if answer.status == 304:
        return "not modified"
    changed = [str(o) for o in outcomes if o.action in ("created", "updated", "kept")]
    return ", ".join(changed) or f"{len(outcomes)} release(s), nothing new"


def _failed(feed: ReleaseFeed, now, message: str, retry_after: int | None) -> str:
    feed.failures += 1
    wait = timedelta(seconds=retry_after) if retry_after else backoff(feed.failures)
    feed.checked_at, feed.next_check_at = now, now + wait
    feed.last_error = message[:500]
    feed.save()
    logger.warning("Release polling: %s on %s failed (%s): %s", feed.project, feed.source,
                   feed.failures, message)  # fmt: skip
    return f"failed ({message}); next try in {int(wait.total_seconds() // 60)} min"


def projects_to_poll():
    named = Q()
    for source in SOURCES.values():
        named |= ~Q(**{source.field: ""})
    return Project.objects.filter(named).order_by("pk")


def sync_project(project: Project, *, force: bool = False, now=None) -> dict[str, str]:
    return {
        source: sync_source(project, source, force=force, now=now) for source in configured(project)
    }


def sync_all(*, force: bool = False, now=None) -> dict[str, dict[str, str]]:
    return {
        project.slug: sync_project(project, force=force, now=now) for project in projects_to_poll()
    }


# --- The schedule ------------------------------------------------------------------------


def _row() -> ReleasePolling:
    row = ReleasePolling.objects.order_by("pk").first()
    return row or ReleasePolling.objects.create()


def arm(enqueue: EnqueuePoll, now=None) -> datetime | None:
    """A worker started: make sure one poll chain is alive (none without projects to poll)."""
    now = now or timezone.now()
    row = _row()
    if row.next_at and row.next_at > now - LOST_AFTER:
        return row.next_at
    if not projects_to_poll().exists():
        return None
    won = ReleasePolling.objects.filter(pk=row.pk, next_at=row.next_at).update(next_at=now)
    if won:
        enqueue(now)
        return now
    return None


def run(at: str, enqueue: EnqueuePoll, now=None) -> dict:
    """The chain's task: win its time, enqueue the next one, poll what is due."""
    now = now or timezone.now()
    at_time = datetime.fromisoformat(at)
    following = max(now, at_time) + timedelta(seconds=settings.RELEASE_POLL_SECONDS)
    row = _row()
    if not ReleasePolling.objects.filter(pk=row.pk, next_at=at_time).update(next_at=following):
        return {"skipped": "not the live chain"}
    enqueue(following)
    return sync_all(now=now)
