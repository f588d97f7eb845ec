"""The schedule of the bounce mailbox poller: one chain of poll_bounce_mailbox tasks, each
polling once and enqueueing the next, every NEWSLETTER_BOUNCE_POLL_SECONDS.

Exactly one chain, however many workers start: the MailboxPoller row names the live chain
(a random token the task carries as its argument). Starting a chain and passing it on are
conditional UPDATEs on that row (`WHERE chain = <the token seen>`), so of two workers
racing, one wins on PostgreSQL and SQLite alike; a task whose token is no longer the row's
does nothing. A chain whose task was lost (its worker died while polling:
django-tasks-db never runs such a task again) is noticed by the next worker that starts
once the task is overdue by STALE_AFTER, and replaced.

A mailbox that cannot be reached is not fatal: the failure is recorded (for /readyz) and
the next poll comes sooner at first, then later: RETRY_FIRST seconds, doubling, at most
RETRY_MAX (or the poll interval, if longer).

The task lives in newsletter.tasks (queued tasks name it by path), which calls this
module; it passes in how to enqueue the next run (`EnqueuePoll`), so this module imports
nothing from there.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from newsletter.inbound import mailbox
from newsletter.models import MailboxPoller
from newsletter.retry_policy import can_defer

logger = logging.getLogger(__name__)

NAME = "bounce-mailbox"
# A poll holds its chain this long; a task overdue by STALE_AFTER is taken for lost.
RUN_LEASE = timedelta(minutes=10)
STALE_AFTER = timedelta(minutes=5)
RETRY_FIRST = 30
RETRY_MAX = 1800
# When a poll left messages for the next one (MESSAGES_PER_POLL), it comes this soon.
CATCH_UP = timedelta(seconds=1)

# Enqueue poll_bounce_mailbox(chain) to run at the given time.
EnqueuePoll = Callable[[str, datetime], object]


def configured() -> bool:
    return bool(settings.NEWSLETTER_BOUNCE_MAILBOX_URL)


def retry_delay(failures: int) -> timedelta:
    """After `failures` failed polls in a row: 30 s, 60 s, 120 s, … at most 30 minutes (or
    the poll interval, when that is longer)."""
    cap = max(RETRY_MAX, settings.NEWSLETTER_BOUNCE_POLL_SECONDS)
    return timedelta(seconds=min(RETRY_FIRST * 2 ** max(failures - 1, 0), cap))


def _row() -> MailboxPoller:
    row = MailboxPoller.objects.filter(name=NAME).first()
    if row is None:
        # Two workers may get here at once: the unique name keeps one row.
        row, _ = MailboxPoller.objects.get_or_create(name=NAME)
    return row


def _alive(row: MailboxPoller, now: datetime) -> bool:
    return bool(row.chain) and row.next_run_at is not None and now < row.next_run_at + STALE_AFTER


def ensure_chain(enqueue: EnqueuePoll) -> bool:
    """Start the chain unless a live one exists (a worker calls this when it starts).
    True when this call started it."""
    if not configured() or not can_defer():
        return False
    now = timezone.now()
    with transaction.atomic():
        row = _row()
        if _alive(row, now):
            return False
        token = uuid.uuid4().hex
        started = MailboxPoller.objects.filter(pk=row.pk, chain=row.chain).update(
            chain=token, next_run_at=now, running_since=None
        )
        if started:
            enqueue(token, now)
    if started:
        logger.info("Bounce mailbox polling started (chain %s)", token)
    return bool(started)


def run(chain: str, enqueue: EnqueuePoll, poll=mailbox.poll) -> dict:
    """One link of the chain: poll, record how it went, enqueue the next link. A task of
    a chain that is not the live one returns at once."""
    if not configured():
        return {"skipped": "NEWSLETTER_BOUNCE_MAILBOX_URL is not set"}
    now = timezone.now()
    claimed = MailboxPoller.objects.filter(name=NAME, chain=chain).update(
        running_since=now, next_run_at=now + RUN_LEASE
    )
    if not claimed:
        return {"skipped": "another chain polls the mailbox"}
    failures = MailboxPoller.objects.values_list("consecutive_failures", flat=True).get(name=NAME)
    try:
        summary = poll()
    except (mailbox.MailboxUnavailable, mailbox.MailboxURLError) as error:
        return _passed_on(chain, enqueue, failure=str(error), failures=failures + 1)
    result = summary.as_dict()
    return _passed_on(chain, enqueue, summary=result, failures=0)


def _passed_on(chain: str, enqueue: EnqueuePoll, *, failures: int, summary=None, failure=""):
    """Record the poll's result and enqueue the next link, both only while `chain` is still
    the live one (one UPDATE decides)."""
    now = timezone.now()
    if failure:
        delay = retry_delay(failures)
        values = {"last_error": failure[:500]}
        logger.warning(
            "Bounce mailbox poll failed (%d in a row), retrying in %d s: %s",
            failures,
            delay.total_seconds(),
            failure,
        )
    else:
        more = summary["remaining"] > 0
        delay = CATCH_UP if more else timedelta(seconds=settings.NEWSLETTER_BOUNCE_POLL_SECONDS)
        values = {"last_error": "", "last_success_at": now, "last_summary": summary}
    token, at = uuid.uuid4().hex, now + delay
    with transaction.atomic():
        passed = MailboxPoller.objects.filter(name=NAME, chain=chain).update(
            chain=token,
            next_run_at=at,
            running_since=None,
            last_poll_at=now,
            consecutive_failures=failures,
            **values,
        )
        if passed:
            if failure:
                MailboxPoller.objects.filter(name=NAME, failing_since__isnull=True).update(
                    failing_since=now
                )
            else:
                MailboxPoller.objects.filter(name=NAME).update(failing_since=None)
            enqueue(token, at)
    result = {"ok": not failure, "next_run_at": at.isoformat(), "failures": failures}
    if failure:
        result["error"] = failure
    else:
        result["summary"] = summary
    return result


def poll_once(*, dry_run: bool = False) -> dict:
    """One poll outside the chain (`manage.py poll_bounce_mailbox --once`): the summary.
    Raises MailboxUnavailable / MailboxURLError for the caller to report."""
    return mailbox.poll(dry_run=dry_run).as_dict()


def readiness() -> str | None:
    """The poller's line on /readyz (core.readiness): None when no mailbox is configured;
    a failing mailbox is reported there, never making /readyz fail: pages and sending go
    on without it."""
    if not configured():
        return None
    row = MailboxPoller.objects.filter(name=NAME).first()
    if row is None or row.last_poll_at is None:
        return "starting (no poll yet: is a worker running?)"
    if row.consecutive_failures:
        since = row.failing_since.isoformat(timespec="seconds") if row.failing_since else "?"
        return (
            f"failing since {since} ({row.consecutive_failures} in a row), next try "
            f"{row.next_run_at.isoformat(timespec='seconds')}: {row.last_error}"
        )
    read = (row.last_summary or {}).get("read", 0)
    return f"ok, last poll {row.last_poll_at.isoformat(timespec='seconds')} ({read} read)"
