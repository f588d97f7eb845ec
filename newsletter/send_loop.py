"""One worker's run over an issue: claim a batch, send it over one SMTP connection,
record each row's outcome, and repeat until nothing is due.

**Sending.** One SMTP connection per batch. Each row is marked `sent` right after the
server accepted its message, one UPDATE per message, guarded by the worker's id; on
PostgreSQL its answer is read after the next message's SMTP exchange, so the two round
trips overlap (delivery_claims.SentMarks). The issue is rendered once per run; each message only
differs in its address, unsubscribe link and Message-ID (emails.RenderedIssue).

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
retrying the UPDATE until the database is back, so it costs no duplicate.

**Failures.** Temporary ones (4xx, a dropped connection, a refused connection) put the row
back in the queue with exponential back-off; a dropped connection is reopened once before
giving up on the batch. Permanent refusals (5xx) mark the row failed with the server's
reply; a 5xx refusal of the recipient also marks the subscriber bounced.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db.models import F
from django.utils import timezone

from core import dkim
from newsletter import delivery_claims, emails
from newsletter.inbound import feedback, return_path
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.retry_policy import backoff, lease
from newsletter.smtp_errors import CONNECTION, PERMANENT, classify
from newsletter.wakeups import EnqueueRun, schedule_follow_up, schedule_wake

logger = logging.getLogger(__name__)


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


def deliver(issue_id: int, *, enqueue_run: EnqueueRun, max_batches: int | None = None) -> RunReport:
    """One worker's run over an issue: claim and send batches until none is due, then
    schedule a follow-up for whatever is still waiting (`enqueue_run` enqueues the
    deliver_issue task that does it)."""
    report = RunReport()
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return report
    worker = delivery_claims.new_worker_id()
    rendered = None
    size = settings.NEWSLETTER_BATCH_SIZE
    while max_batches is None or report.batches < max_batches:
        # The dead man's switch: if this worker dies holding a batch, a run after the
        # lease picks the batch up again.
        if Delivery.objects.filter(issue_id=issue_id, status__in=delivery_claims.PENDING).exists():
            schedule_wake(issue_id, timezone.now() + lease() + timedelta(seconds=1), enqueue_run)
        ids = delivery_claims.claim_batch(issue_id, worker, size)
        if not ids:
            break
        report.batches += 1
        if rendered is None:
            rendered = emails.render_issue(issue)
        if not send_batch(rendered, ids, worker, report):
            break
    schedule_follow_up(issue_id, enqueue_run)
    logger.info("%s: %s", issue.label, report.as_dict())
    return report


def send_batch(rendered, ids: list[int], worker: str, report: RunReport) -> bool:
    """Send the claimed rows over one SMTP connection. Returns False when the server
    cannot be reached (the rest of the batch is handed back with a delay)."""
    started = time.monotonic()
    half_lease = settings.NEWSLETTER_LEASE_SECONDS / 2
    rows = delivery_claims.claimed_rows(ids, worker)
    marks = delivery_claims.SentMarks(worker)
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
                marks.settle()
                delivery_claims.release([r.pk for r in rows[index:]], worker)
                break
            if row.subscriber.status != Subscriber.Status.ACTIVE or row.subscriber.suppressed_at:
                marks.settle()
                delivery_claims.mark(
                    row.pk,
                    worker,
                    status=Delivery.Status.SKIPPED,
                    last_error="Not an active subscriber any more.",
                )
                report.skipped += 1
                continue
            outcome = _send_one(mailer, rendered, row, marks, report)
            if outcome is False:
                rest = [r.pk for r in rows[index + 1 :]]
                delivery_claims.release(rest, worker, backoff(1))
                return False
    finally:
        marks.settle()
        try:
            mailer.close()
        except Exception:
            logger.debug("Error while closing the SMTP connection", exc_info=True)
    return True


def _send(mailer, rendered, row: Delivery) -> None:
    """Over Django's SMTP backend, the message goes out as bytes assembled directly
    (emails.RenderedIssue.wire_bytes) on the backend's open connection; any other backend
    gets the EmailMessage. No database query here: the previous message's mark is out."""
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
    # With a bounce address, each message's own return path names its delivery (VERP).
    sender = return_path.for_delivery(row.pk) or rendered.cache["sender"]
    if dkim.enabled():
        data = dkim.sign(data)
    mailer.connection.sendmail(sender, [row.subscriber.email], data)


def _send_one(mailer, rendered, row: Delivery, marks, report: RunReport) -> bool:
    """Send one row's message; reconnect once if the session dropped. Returns False when
    the server stays unreachable."""
    worker = marks.worker
    for reconnect in (True, False):
        try:
            _send(mailer, rendered, row)
        except Exception as error:
            marks.settle()
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
                delivery_claims.mark(
                    row.pk,
                    worker,
                    status=Delivery.Status.FAILED,
                    attempts=F("attempts") + 1,
                    last_error=reason[:2000],
                )
                report.failed += 1
                if bounced:  # refused during the conversation: a hard bounce, told at once
                    feedback.apply(
                        feedback.MailFeedback(
                            kind=feedback.Kind.HARD,
                            recipient=row.subscriber.email,
                            delivery_id=row.pk,
                            diagnostic=reason[:1000],
                            source="smtp",
                            event_id=f"delivery-{row.pk}",
                        )
                    )
            else:
                _retry_or_fail(row, worker, reason, report)
            return True
        else:
            marks.add(row.pk)
            report.sent += 1
            return True
    return True


def _retry_or_fail(delivery: Delivery, worker: str, reason: str, report: RunReport) -> None:
    """A temporary failure: back in the queue after the back-off, or failed for good once
    NEWSLETTER_MAX_ATTEMPTS have been tried."""
    attempts = delivery.attempts + 1
    if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        delivery_claims.mark(
            delivery.pk,
            worker,
            status=Delivery.Status.FAILED,
            attempts=attempts,
            last_error=f"Gave up after {attempts} attempts: {reason}"[:2000],
        )
        report.failed += 1
    else:
        delivery_claims.mark(
            delivery.pk,
            worker,
            status=Delivery.Status.QUEUED,
            attempts=attempts,
            last_error=reason[:2000],
            next_attempt_at=timezone.now() + backoff(attempts),
        )
        report.retry += 1
