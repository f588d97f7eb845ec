"""Waking the sending up: the deliver_issue runs an issue's deliveries schedule for
themselves.

django-tasks-db never re-runs a task whose worker died, and retries need a later run, so
the sending schedules its own wake-ups: before claiming, a run makes sure a run is
enqueued for when its lease would expire (a dead man's switch), and when a run ends with
rows still waiting it enqueues one for the earliest moment one of them can be claimed.
`Issue.send_wake_at` keeps this to one pending wake-up per issue.

The task is newsletter.tasks.deliver_issue, which calls this code, so the caller passes in
how to enqueue it (`EnqueueRun`) and this module imports nothing from there.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from newsletter.delivery_claims import PENDING
from newsletter.models import Delivery, Issue
from newsletter.retry_policy import can_defer, lease

# Enqueue a deliver_issue run for the issue (its id) to start at the given time.
EnqueueRun = Callable[[int, datetime], object]


def schedule_wake(issue_id: int, at: datetime, enqueue_run: EnqueueRun) -> bool:
    """Make sure a deliver_issue task runs at `at` or earlier. At most one future wake-up
    per issue is kept (a conditional UPDATE decides, so concurrent workers agree)."""
    if not can_defer():
        return False
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Issue.objects.filter(pk=issue_id)
            .filter(
                Q(send_wake_at__isnull=True) | Q(send_wake_at__lte=now) | Q(send_wake_at__gt=at)
            )
            .update(send_wake_at=at)
        )
        if updated:
            enqueue_run(issue_id, at)
    return bool(updated)


def schedule_follow_up(issue_id: int, enqueue_run: EnqueueRun) -> datetime | None:
    """After a run: wake up when the next waiting row can be claimed (a retry's time, or
    the end of another worker's lease). Nothing when the issue is done."""
    earliest = Delivery.objects.filter(issue_id=issue_id, status__in=PENDING).aggregate(
        queued=Min("next_attempt_at", filter=Q(status=Delivery.Status.QUEUED)),
        claimed=Min("claimed_at", filter=Q(status=Delivery.Status.SENDING)),
    )
    candidates = []
    if earliest["queued"]:
        candidates.append(earliest["queued"])
    if earliest["claimed"]:
        candidates.append(earliest["claimed"] + lease() + timedelta(seconds=1))
    if not candidates:
        return None
    at = max(min(candidates), timezone.now() + timedelta(seconds=1))
    schedule_wake(issue_id, at, enqueue_run)
    return at
