"""Putting an issue's deliveries in the queue: now, or at a scheduled time.

`start_sending` inserts every row in one `INSERT … SELECT … ON CONFLICT DO NOTHING`
(unique per issue and subscriber, so a second start adds nothing) and enqueues a few
`deliver_issue` tasks, so that several `db_worker` processes can share an issue. A
scheduled send is a `start_scheduled_send` task with run_after; the deliveries are only
created when it runs.

The tasks live in newsletter.tasks and call this code, so the callers pass in how to
enqueue them (`EnqueueRuns`, `EnqueueStart`) and this module imports nothing from there;
newsletter.sending does that for the admin and the commands.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.models import Status
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.retry_policy import can_defer

logger = logging.getLogger(__name__)

# Enqueue this many deliver_issue runs for the issue (its id), to start now.
EnqueueRuns = Callable[[int, int], object]
# Enqueue start_scheduled_send for the issue (its id), to run at the given time.
EnqueueStart = Callable[[int, datetime], object]


class SendingError(Exception):
    """The issue cannot be sent (yet); the message says why, for the author."""


def check_sendable(issue: Issue, at: datetime | None = None) -> None:
    """Refuse what would reach subscribers broken: the "view in browser" link needs the
    issue published by the time it goes out."""
    at = at or timezone.now()
    if issue.sending_started_at:
        raise SendingError(
            f"{issue.label} was already sent to subscribers "
            f"(started {timezone.localtime(issue.sending_started_at):%Y-%m-%d %H:%M})."
        )
    if not issue.by_email:
        raise SendingError(f"{issue.label} is web-only: tick “by email” to send it.")
    if issue.topic_id is None:
        raise SendingError(f"{issue.label} has no topic (it was removed): choose one.")
    if issue.status != Status.PUBLISHED or issue.published_at > at:
        when = "by then" if at > timezone.now() + timedelta(seconds=5) else "yet"
        raise SendingError(
            f"{issue.label} is not published {when}: publish it first, so the "
            "email's “view in browser” link works."
        )


def start_sending(issue: Issue, enqueue_runs: EnqueueRuns) -> int:
    """Create one delivery per active subscriber and enqueue the work. Returns how many.

    Safe against double clicks and concurrent starts: the issue row is locked and checked,
    and the insert ignores rows that already exist. The runs are enqueued in the same
    transaction, so deliveries never exist without a task to send them."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        check_sendable(issue)
        now = timezone.now()
        count = insert_deliveries(issue, now)
        Issue.objects.filter(pk=issue.pk).update(sending_started_at=now, send_at=None)
        runs = min(settings.NEWSLETTER_SEND_TASKS, -(-count // settings.NEWSLETTER_BATCH_SIZE))
        enqueue_runs(issue.pk, max(runs, 0))
    logger.info("%s: %d deliveries queued", issue.label, count)
    return count


def insert_deliveries(issue: Issue, now: datetime) -> int:
    """One set-based INSERT … SELECT: a row per active, unsuppressed subscriber who follows
    the issue's topic, none twice."""
    d, s = Delivery._meta, Subscriber._meta
    m = Subscriber.topics.through._meta
    col = {f.name: f.column for f in d.concrete_fields}
    stamp = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"INSERT INTO {d.db_table} ({col['issue']}, {col['subscriber']}, {col['status']}, "
        f"{col['attempts']}, {col['last_error']}, {col['next_attempt_at']}, "
        f"{col['claimed_by']}, {col['created_at']}) "
        f"SELECT %s, {s.pk.column}, %s, 0, '', %s, '', %s FROM {s.db_table} "
        f"WHERE {s.get_field('status').column} = %s "
        f"AND {s.get_field('suppressed_at').column} IS NULL "
        f"AND {s.pk.column} IN (SELECT {m.get_field('subscriber').column} FROM {m.db_table} "
        f"WHERE {m.get_field('topic').column} = %s) "
        f"ON CONFLICT ({col['issue']}, {col['subscriber']}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                issue.pk,
                Delivery.Status.QUEUED,
                stamp,
                stamp,
                Subscriber.Status.ACTIVE,
                issue.topic_id,
            ],
        )
        return cursor.rowcount


def schedule_send(issue: Issue, send_at: datetime, enqueue_start: EnqueueStart) -> None:
    """Send the issue at `send_at`: a task with run_after does it (the deliveries are
    created then, so later signups and unsubscribes count)."""
    if not can_defer():
        raise SendingError("The task backend cannot run tasks later; send the issue now.")
    if send_at <= timezone.now():
        raise SendingError("Choose a time in the future.")
    check_sendable(issue, send_at)
    with transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(send_at=send_at)
        enqueue_start(issue.pk, send_at)
    issue.send_at = send_at


def cancel_schedule(issue: Issue) -> None:
    """The enqueued task finds send_at changed and does nothing."""
    Issue.objects.filter(pk=issue.pk, sending_started_at__isnull=True).update(send_at=None)
    issue.send_at = None


def run_scheduled(issue_id: int, send_at: str, enqueue_runs: EnqueueRuns) -> int:
    """What start_scheduled_send does: start the sending, unless the schedule was
    cancelled or moved since the task was enqueued."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.send_at is None or issue.sending_started_at:
        return 0
    if issue.send_at != datetime.fromisoformat(send_at):  # rescheduled since
        return 0
    try:
        return start_sending(issue, enqueue_runs)
    except SendingError as error:
        logger.error("Scheduled sending of %s refused: %s", issue.label, error)
        Issue.objects.filter(pk=issue.pk).update(send_at=None)
        return 0
