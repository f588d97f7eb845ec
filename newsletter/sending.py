"""Sending an issue to every active subscriber, exactly once as far as SMTP allows.

Life of a Delivery row (one per issue and subscriber)::

    queued ──claim──▶ sending ──SMTP accepted──▶ sent
      ▲                  │ ├──permanent refusal (5xx)──▶ failed (reason kept)
      └──temporary───────┘ └──subscriber left meanwhile──▶ skipped
         failure: back-off, or given up after NEWSLETTER_MAX_ATTEMPTS ──▶ failed

**Starting.** `start_sending` inserts every row in one `INSERT … SELECT … ON CONFLICT DO
NOTHING` (unique per issue and subscriber, so a second start adds nothing) and enqueues a
few `deliver_issue` tasks, so that several `db_worker` processes can share an issue.

**Claiming.** A worker takes a batch in a short transaction: `SELECT … FOR UPDATE SKIP
LOCKED` on PostgreSQL (concurrent workers skip each other's rows instead of waiting), then
marks the rows `sending` with its id and the time: a *lease*. SQLite has no row locks, but
the project opens its transactions with `BEGIN IMMEDIATE`, so claims are serialized there.
Rows whose lease has expired (`NEWSLETTER_LEASE_SECONDS`) count as free again: that is
how a killed worker's batch is picked up by the next run.

**Sending.** One SMTP connection per batch. Each row is marked `sent` right after the
server accepted its message, one UPDATE per message, guarded by the worker's id (on
PostgreSQL committed without waiting for the disk flush, see _write_sent). The issue
is rendered once per run; each message only differs in its address, unsubscribe link and
Message-ID (emails.RenderedIssue).

**Exactly once, and where it cannot be.** SMTP and the database cannot commit together.
Marking a row *before* sending would lose the message if the worker died in between;
marking it *after* (what we do) means that a worker killed between the server's "250 OK"
and our UPDATE leaves that one row `sending`; when its lease expires it is sent again. So
a crash costs at most one duplicate per killed worker, the message in flight, and never
a lost message. Every attempt at a delivery carries the same Message-ID, which lets
receiving systems that de-duplicate on it show a single copy. A worker never starts a
message after half of its lease has passed (it hands the rest of the batch back), and
one SMTP exchange is bounded by the connection timeout (a quarter of the lease unless
EMAIL_URL sets one), so a slow server cannot let a second worker take over rows the
first is still sending. This assumes the workers' clocks agree to well within the lease
(NTP). A database restart between "250 OK" and the UPDATE is not a crash: the worker keeps
retrying the UPDATE until the database is back (_mark_sent), so it costs no duplicate.

**Failures.** Temporary ones (4xx, a dropped connection, a refused connection) put the row
back in the queue with exponential back-off; a dropped connection is reopened once before
giving up on the batch. Permanent refusals (5xx) mark the row failed with the server's
reply; a 5xx refusal of the recipient also marks the subscriber bounced.

**Waking up.** django-tasks-db never re-runs a task whose worker died, and retries need a
later run, so the sending schedules its own wake-ups: before claiming, a run makes sure a
`deliver_issue` task is enqueued for when its lease would expire (a dead man's switch),
and when a run ends with rows still waiting it enqueues one for the earliest moment one of
them can be claimed. `Issue.send_wake_at` keeps this to one pending wake-up per issue.
"""

import logging
import os
import secrets
import smtplib
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Min, Q
from django.tasks import task_backends
from django.utils import timezone

from core.models import Status
from newsletter import emails
from newsletter.models import Delivery, Issue, Subscriber

logger = logging.getLogger(__name__)

PENDING = [Delivery.Status.QUEUED, Delivery.Status.SENDING]
DATABASE_ERRORS = (OperationalError, InterfaceError)  # the connection, not the query


class SendingError(Exception):
    """The issue cannot be sent (yet); the message says why, for the author."""


def lease() -> timedelta:
    return timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 1, 2, 4, … times the base,
    at most an hour."""
    seconds = settings.NEWSLETTER_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 3600))


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def can_defer() -> bool:
    """Whether the task backend runs tasks later (run_after). The immediate backend
    cannot; everything then happens inline and there is nothing to wake up."""
    return task_backends["default"].supports_defer


# Starting ------------------------------------------------------------------------------


def check_sendable(issue: Issue, at: datetime | None = None) -> None:
    """Refuse what would reach subscribers broken: the "view in browser" link needs the
    issue published by the time it goes out."""
    at = at or timezone.now()
    if issue.sending_started_at:
        raise SendingError(
            f"Issue #{issue.number} was already sent to subscribers "
            f"(started {timezone.localtime(issue.sending_started_at):%Y-%m-%d %H:%M})."
        )
    if issue.status != Status.PUBLISHED or issue.published_at > at:
        when = "by then" if at > timezone.now() + timedelta(seconds=5) else "yet"
        raise SendingError(
            f"Issue #{issue.number} is not published {when}: publish it first, so the "
            "email's “view in browser” link works."
        )


def start_sending(issue: Issue) -> int:
    """Create one delivery per active subscriber and enqueue the work. Returns how many.

    Safe against double clicks and concurrent starts: the issue row is locked and checked,
    and the insert ignores rows that already exist."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        check_sendable(issue)
        now = timezone.now()
        count = _insert_deliveries(issue, now)
        Issue.objects.filter(pk=issue.pk).update(sending_started_at=now, send_at=None)
        tasks = min(settings.NEWSLETTER_SEND_TASKS, -(-count // settings.NEWSLETTER_BATCH_SIZE))
        from newsletter.tasks import deliver_issue  # tasks.py imports this module

        for _ in range(max(tasks, 0)):
            deliver_issue.enqueue(issue.pk)
    logger.info("Issue #%s: %d deliveries queued", issue.number, count)
    return count


def _insert_deliveries(issue: Issue, now: datetime) -> int:
    """One set-based INSERT … SELECT: a row per active subscriber, none twice."""
    d, s = Delivery._meta, Subscriber._meta
    col = {f.name: f.column for f in d.concrete_fields}
    stamp = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"INSERT INTO {d.db_table} ({col['issue']}, {col['subscriber']}, {col['status']}, "
        f"{col['attempts']}, {col['last_error']}, {col['next_attempt_at']}, "
        f"{col['claimed_by']}, {col['created_at']}) "
        f"SELECT %s, {s.pk.column}, %s, 0, '', %s, '', %s FROM {s.db_table} "
        f"WHERE {s.get_field('status').column} = %s "
        f"ON CONFLICT ({col['issue']}, {col['subscriber']}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [issue.pk, Delivery.Status.QUEUED, stamp, stamp, Subscriber.Status.ACTIVE]
        )
        return cursor.rowcount


def schedule_send(issue: Issue, send_at: datetime) -> None:
    """Send the issue at `send_at`: a task with run_after does it (the deliveries are
    created then, so later signups and unsubscribes count)."""
    if not can_defer():
        raise SendingError("The task backend cannot run tasks later; send the issue now.")
    if send_at <= timezone.now():
        raise SendingError("Choose a time in the future.")
    check_sendable(issue, send_at)
    from newsletter.tasks import start_scheduled_send

    with transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(send_at=send_at)
        start_scheduled_send.using(run_after=send_at).enqueue(issue.pk, send_at.isoformat())
    issue.send_at = send_at


def cancel_schedule(issue: Issue) -> None:
    """The enqueued task finds send_at changed and does nothing."""
    Issue.objects.filter(pk=issue.pk, sending_started_at__isnull=True).update(send_at=None)
    issue.send_at = None


def run_scheduled(issue_id: int, send_at: str) -> int:
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or issue.send_at is None or issue.sending_started_at:
        return 0
    if issue.send_at != datetime.fromisoformat(send_at):  # rescheduled since
        return 0
    try:
        return start_sending(issue)
    except SendingError as error:
        logger.error("Scheduled sending of issue #%s refused: %s", issue.number, error)
        Issue.objects.filter(pk=issue.pk).update(send_at=None)
        return 0


# Waking up -----------------------------------------------------------------------------


def schedule_wake(issue_id: int, at: datetime) -> bool:
    """Make sure a deliver_issue task runs at `at` or earlier. At most one future wake-up
    per issue is kept (a conditional UPDATE decides, so concurrent workers agree)."""
    if not can_defer():
        return False
    from newsletter.tasks import deliver_issue

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
            deliver_issue.using(run_after=at).enqueue(issue_id)
    return bool(updated)


def schedule_follow_up(issue_id: int) -> datetime | None:
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
    schedule_wake(issue_id, at)
    return at


# Claiming and sending ------------------------------------------------------------------


def claim_batch(issue_id: int, worker: str, size: int) -> list[int]:
    """Take up to `size` rows that are due, or whose lease expired, and lease them."""
    now = timezone.now()
    due = Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - lease()
    )
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(issue_id=issue_id)
            .filter(due)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=Delivery.Status.SENDING, claimed_by=worker, claimed_at=now
            )
    return ids


@dataclass
class RunReport:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    skipped: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "retry": self.retry,
            "skipped": self.skipped,
            "batches": self.batches,
        }


TEMPORARY, PERMANENT, CONNECTION = "temporary", "permanent", "connection"


def _decode(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def classify(error: Exception) -> tuple[str, str, bool]:
    """(kind, reason, bounced) for an exception raised while sending one message.

    `connection` means the SMTP session is unusable (reconnect or give up the batch);
    `bounced` means the server refused the recipient for good."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (450, b"refused"))
        reason = f"{code} {_decode(reply)}"
        return (PERMANENT, reason, True) if 500 <= code < 600 else (TEMPORARY, reason, False)
    if isinstance(error, smtplib.SMTPSenderRefused):
        # Our sender address refused: every message would fail alike. Not the
        # recipient's fault, so retry later rather than fail the whole list.
        return CONNECTION, f"sender refused: {error.smtp_code} {_decode(error.smtp_error)}", False
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return CONNECTION, f"{type(error).__name__}: {error}", False
    if isinstance(error, (smtplib.SMTPAuthenticationError, smtplib.SMTPHeloError)):
        return CONNECTION, f"{error.smtp_code} {_decode(error.smtp_error)}", False
    if isinstance(error, smtplib.SMTPResponseException):
        reason = f"{error.smtp_code} {_decode(error.smtp_error)}"
        if error.smtp_code == 421:  # "service closing": a dropped session
            return CONNECTION, reason, False
        return (
            (PERMANENT, reason, False)
            if 500 <= error.smtp_code < 600
            else (
                TEMPORARY,
                reason,
                False,
            )
        )
    if isinstance(error, (OSError, smtplib.SMTPException)):
        return CONNECTION, f"{type(error).__name__}: {error}", False
    if isinstance(error, ValueError):  # an address Django refuses to put on the wire
        return PERMANENT, f"invalid address: {error}", False
    return TEMPORARY, f"{type(error).__name__}: {error}", False


def _mark(delivery_id: int, worker: str, **values) -> int:
    return Delivery.objects.filter(
        pk=delivery_id, claimed_by=worker, status=Delivery.Status.SENDING
    ).update(**values)


def _mark_sent(delivery_id: int, worker: str) -> int:
    """Mark a delivery sent once the server accepted its message.

    The message is out by then, so losing the database at this moment (a restart) must
    not leave the row `sending`: when its lease ended it would be sent again. The mark is
    retried, 0.5 s doubling up to 5 s, until the database is back, for at most a quarter
    of the lease (a batch starts no message after half of it, and one SMTP exchange takes
    at most a quarter), so the row is still ours when the mark lands."""
    deadline = time.monotonic() + settings.NEWSLETTER_LEASE_SECONDS / 4
    delay, lost_at = 0.5, None
    while True:
        try:
            marked = _write_sent(delivery_id, worker)
        except DATABASE_ERRORS as error:
            if connection.in_atomic_block or time.monotonic() + delay > deadline:
                raise
            if lost_at is None:
                lost_at = time.monotonic()
                logger.warning(
                    "Lost the database marking delivery %s sent (%s); retrying until it is back",
                    delivery_id,
                    str(error).strip().splitlines()[0] if str(error).strip() else type(error),
                )
            connection.close()
            time.sleep(delay)
            delay = min(delay * 2, 5)
            continue
        if lost_at is None:
            return marked
        logger.info(
            "Database back after %.1f s; delivery %s marked sent",
            time.monotonic() - lost_at,
            delivery_id,
        )
        # A lost commit may have landed after all: then the row is already ours and sent.
        return marked or int(
            Delivery.objects.filter(
                pk=delivery_id, claimed_by=worker, status=Delivery.Status.SENT
            ).exists()
        )


def _write_sent(delivery_id: int, worker: str) -> int:
    """The one write per message on the hot path, in plain SQL: building the ORM query
    cost more than running it.

    On PostgreSQL the commit does not wait for the WAL to reach the disk
    (synchronous_commit off, for this transaction only), which otherwise costs a disk
    flush per message. A worker that dies loses nothing by it: the commit is in the
    server's hands. Only a crash of the database server itself could forget the last
    fraction of a second of "sent" marks, and those rows would be sent again, never lost."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, "
            "last_error = '' WHERE id = %s AND claimed_by = %s AND status = %s",
            [
                Delivery.Status.SENT,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                delivery_id,
                worker,
                Delivery.Status.SENDING,
            ],
        )
        return cursor.rowcount


def _retry_or_fail(delivery: Delivery, worker: str, reason: str, report: RunReport) -> None:
    attempts = delivery.attempts + 1
    if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        _mark(
            delivery.pk,
            worker,
            status=Delivery.Status.FAILED,
            attempts=attempts,
            last_error=f"Gave up after {attempts} attempts: {reason}"[:2000],
        )
        report.failed += 1
    else:
        _mark(
            delivery.pk,
            worker,
            status=Delivery.Status.QUEUED,
            attempts=attempts,
            last_error=reason[:2000],
            next_attempt_at=timezone.now() + backoff(attempts),
        )
        report.retry += 1


def _release(ids: list[int], worker: str, delay: timedelta = timedelta(0)) -> None:
    """Hand rows back unsent (not an attempt: nothing was tried)."""
    if ids:
        Delivery.objects.filter(
            pk__in=ids, claimed_by=worker, status=Delivery.Status.SENDING
        ).update(status=Delivery.Status.QUEUED, next_attempt_at=timezone.now() + delay)


def send_batch(rendered, ids: list[int], worker: str, report: RunReport) -> bool:
    """Send the claimed rows over one SMTP connection. Returns False when the server
    cannot be reached (the rest of the batch is handed back with a delay)."""
    started = time.monotonic()
    half_lease = settings.NEWSLETTER_LEASE_SECONDS / 2
    rows = list(
        Delivery.objects.filter(pk__in=ids, claimed_by=worker, status=Delivery.Status.SENDING)
        .select_related("subscriber")
        .order_by("pk")
    )
    mailer = mailers[settings.NEWSLETTER_MAILER]
    if isinstance(mailer, SMTPBackend) and mailer.timeout is None:
        # A server that stops answering must not hold a row past its lease.
        mailer.timeout = max(5, settings.NEWSLETTER_LEASE_SECONDS / 4)
    try:
        mailer.open()
    except Exception as error:  # any failure to connect is a temporary one
        reason = classify(error)[1]
        logger.warning("SMTP connection failed: %s", reason)
        report.errors.append(reason)
        for row in rows:
            _retry_or_fail(row, worker, f"could not connect: {reason}", report)
        return False
    try:
        for index, row in enumerate(rows):
            if time.monotonic() - started > half_lease:
                _release([r.pk for r in rows[index:]], worker)
                break
            if row.subscriber.status != Subscriber.Status.ACTIVE:
                _mark(
                    row.pk,
                    worker,
                    status=Delivery.Status.SKIPPED,
                    last_error="Not an active subscriber any more.",
                )
                report.skipped += 1
                continue
            outcome = _send_one(mailer, rendered, row, worker, report)
            if outcome is False:
                rest = [r.pk for r in rows[index + 1 :]]
                _release(rest, worker, backoff(1))
                return False
    finally:
        try:
            mailer.close()
        except Exception:
            logger.debug("Error while closing the SMTP connection", exc_info=True)
    return True


def _send(mailer, rendered, row: Delivery) -> None:
    """Over Django's SMTP backend, the message goes out as bytes assembled directly
    (emails.RenderedIssue.wire_bytes) on the backend's open connection; any other backend
    gets the EmailMessage."""
    data = None
    if isinstance(mailer, SMTPBackend):
        data = rendered.wire_bytes(row.subscriber, row.pk)
    if data is None:
        mailer.send_messages([rendered.for_subscriber(row.subscriber, row.pk)])
        return
    if mailer.connection is None:
        mailer.open()
    if "sender" not in rendered.cache:  # the same for every message
        rendered.cache["sender"] = mailer.prep_address(rendered.from_email)
    # wire_bytes only accepts plain ASCII addresses, usable as they are.
    mailer.connection.sendmail(rendered.cache["sender"], [row.subscriber.email], data)


def _send_one(mailer, rendered, row: Delivery, worker: str, report: RunReport) -> bool:
    """Send one row's message; reconnect once if the session dropped. Returns False when
    the server stays unreachable."""
    for reconnect in (True, False):
        try:
            _send(mailer, rendered, row)
        except Exception as error:
            kind, reason, bounced = classify(error)
            if kind == CONNECTION:
                try:
                    mailer.close()
                except Exception:
                    logger.debug("Error while closing the SMTP connection", exc_info=True)
                if reconnect:
                    try:
                        mailer.open()
                        continue
                    except Exception as again:
                        reason = classify(again)[1]
                report.errors.append(reason)
                _retry_or_fail(row, worker, reason, report)
                return False
            if kind == PERMANENT:
                _mark(
                    row.pk,
                    worker,
                    status=Delivery.Status.FAILED,
                    attempts=F("attempts") + 1,
                    last_error=reason[:2000],
                )
                report.failed += 1
                if bounced:
                    Subscriber.objects.filter(
                        pk=row.subscriber_id, status=Subscriber.Status.ACTIVE
                    ).update(status=Subscriber.Status.BOUNCED, updated_at=timezone.now())
            else:
                _retry_or_fail(row, worker, reason, report)
            return True
        else:
            marked = _mark_sent(row.pk, worker)
            if not marked:  # only if our lease was taken over: should never happen
                logger.warning("Delivery %s was sent but its lease had been lost", row.pk)
            report.sent += 1
            return True
    return True


def deliver(issue_id: int, *, max_batches: int | None = None) -> RunReport:
    """One worker's run over an issue: claim and send batches until none is due, then
    schedule a follow-up for whatever is still waiting."""
    report = RunReport()
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return report
    worker = new_worker_id()
    rendered = None
    size = settings.NEWSLETTER_BATCH_SIZE
    while max_batches is None or report.batches < max_batches:
        # The dead man's switch: if this worker dies holding a batch, a run after the
        # lease picks the batch up again.
        if Delivery.objects.filter(issue_id=issue_id, status__in=PENDING).exists():
            schedule_wake(issue_id, timezone.now() + lease() + timedelta(seconds=1))
        ids = claim_batch(issue_id, worker, size)
        if not ids:
            break
        report.batches += 1
        if rendered is None:
            rendered = emails.render_issue(issue)
        if not send_batch(rendered, ids, worker, report):
            break
    schedule_follow_up(issue_id)
    logger.info("Issue #%s: %s", issue.number, report.as_dict())
    return report


def send_test(issue: Issue, to: str) -> None:
    """Send the issue, as subscribers would get it, to one address now (no queue)."""
    mailers[settings.NEWSLETTER_MAILER].send_messages([emails.test_message(issue, to)])
