"""Background work, through Django's tasks API (run by `manage.py db_worker`).

Arguments are ids, never addresses: task rows outlive subscribers who ask to be erased.
Queued tasks name these functions by their path (`newsletter.tasks.<name>`), so they stay
here. The code they run takes the enqueue functions below as arguments instead of
importing this module: this module imports it, never the other way round.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import mailers
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from newsletter import digest_schedule, emails, queueing, send_loop, welcome
from newsletter.confirmation_outcomes import confirmation_accepted, confirmation_failed
from newsletter.inbound import polling
from newsletter.models import Subscriber
from newsletter.retry_policy import backoff, can_defer
from newsletter.smtp_errors import PERMANENT, classify

logger = logging.getLogger(__name__)

CONFIRMATION_ATTEMPTS = 4


@task
def deliver_issue(issue_id: int) -> dict:
    """Send an issue's due deliveries (several of these may run at once)."""
    return send_loop.deliver(issue_id, enqueue_run=enqueue_delivery_at).as_dict()


@task
def start_scheduled_send(issue_id: int, send_at: str) -> int:
    """Create an issue's deliveries at its scheduled time and start sending."""
    return queueing.run_scheduled(issue_id, send_at, enqueue_deliveries)


def enqueue_deliveries(issue_id: int, runs: int) -> None:
    """`runs` deliver_issue tasks for the issue, to start now (queueing.EnqueueRuns)."""
    for _ in range(runs):
        deliver_issue.enqueue(issue_id)


def enqueue_delivery_at(issue_id: int, at: datetime) -> None:
    """A deliver_issue task for the issue, to start at `at` (wakeups.EnqueueRun)."""
    deliver_issue.using(run_after=at).enqueue(issue_id)


def enqueue_scheduled_start(issue_id: int, send_at: datetime) -> None:
    """The issue's start_scheduled_send, to run at `send_at` (queueing.EnqueueStart)."""
    start_scheduled_send.using(run_after=send_at).enqueue(issue_id, send_at.isoformat())


@task
def send_confirmation(subscriber_id: int, attempt: int = 1) -> bool:
    """Email a pending subscriber their confirmation link; temporary failures are retried
    with back-off, up to CONFIRMATION_ATTEMPTS times."""
    # Pending, or active and asking for more topics (newsletter.topics).
    waiting = Q(status=Subscriber.Status.PENDING) | (
        Q(status=Subscriber.Status.ACTIVE) & ~Q(pending_topics=[])
    )
    subscriber = Subscriber.objects.filter(waiting, pk=subscriber_id).first()
    if subscriber is None:  # confirmed, erased or gone in the meantime
        return False
    if not subscriber.may_be_emailed():
        return False
    try:
        mailers[settings.NEWSLETTER_MAILER].send_messages([emails.confirmation_message(subscriber)])
    except Exception as error:
        kind, reason, _bounced = classify(error)
        if kind == PERMANENT or attempt >= CONFIRMATION_ATTEMPTS or not can_defer():
            # Given up: the admin shows the reason, and the author may send it again at once.
            confirmation_failed(subscriber_id, reason)
            logger.warning("Confirmation to subscriber %s failed: %s", subscriber_id, reason)
            raise
        run_after = timezone.now() + backoff(attempt)
        send_confirmation.using(run_after=run_after).enqueue(subscriber_id, attempt + 1)
        confirmation_failed(subscriber_id, reason, retry_at=run_after)
        logger.info(
            "Confirmation to subscriber %s retried at %s: %s", subscriber_id, run_after, reason
        )
        return False
    if attempt > 1:
        confirmation_accepted(subscriber_id)
    return True


@task
def send_welcome(subscriber_id: int, attempt: int = 1) -> bool:
    """The welcome email to a subscriber who just confirmed (newsletter.welcome), once;
    temporary failures are retried with back-off like a confirmation's."""
    found = welcome.due(subscriber_id)
    if found is None:
        return False
    subscriber, site = found
    try:
        mailers[settings.NEWSLETTER_MAILER].send_messages(
            [welcome.welcome_message(subscriber, site)]
        )
    except Exception as error:
        kind, reason, _bounced = classify(error)
        if kind == PERMANENT or attempt >= CONFIRMATION_ATTEMPTS or not can_defer():
            logger.warning("Welcome email to subscriber %s failed: %s", subscriber_id, reason)
            return False
        send_welcome.using(run_after=timezone.now() + backoff(attempt)).enqueue(
            subscriber_id, attempt + 1
        )
        return False
    welcome.mark_welcomed(subscriber_id)
    return True


def send_confirmations(subscriber_ids: list[int], chunk: int = 200) -> None:
    """Enqueue confirmation emails for many subscribers (an import)."""
    for start in range(0, len(subscriber_ids), chunk):
        send_confirmation_batch.enqueue(subscriber_ids[start : start + chunk])


@task
def send_confirmation_batch(subscriber_ids: list[int]) -> int:
    """Confirmation emails for a chunk of imported subscribers over one SMTP connection;
    whatever a failure leaves unsent is retried one by one."""
    pending = [
        subscriber
        for subscriber in Subscriber.objects.filter(
            pk__in=subscriber_ids, status=Subscriber.Status.PENDING
        )
        if subscriber.may_be_emailed()
    ]
    sent = 0
    try:
        with mailers[settings.NEWSLETTER_MAILER] as mailer:
            for subscriber in pending:
                mailer.send_messages([emails.confirmation_message(subscriber)])
                sent += 1
    except Exception as error:
        logger.warning("Confirmation batch stopped after %d: %s", sent, error)
        retry = {"run_after": timezone.now() + backoff(1)} if can_defer() else {}
        for subscriber in pending[sent:]:
            send_confirmation.using(**retry).enqueue(subscriber.pk, 2)
    return sent


@task
def poll_bounce_mailbox(chain: str) -> dict:
    """Read the bounce mailbox once and schedule the next read (newsletter.inbound.polling)."""
    return polling.run(chain, enqueue_mailbox_poll)


def enqueue_mailbox_poll(chain: str, at: datetime) -> None:
    """The chain's next poll_bounce_mailbox, to run at `at` (polling.EnqueuePoll)."""
    poll_bounce_mailbox.using(run_after=at).enqueue(chain)


def start_mailbox_polling(**kwargs) -> None:
    """core.signals.worker_started: a worker makes sure one poll chain is alive."""
    if polling.ensure_chain(enqueue_mailbox_poll):
        logger.info("Bounce mailbox: polling every %d s", settings.NEWSLETTER_BOUNCE_POLL_SECONDS)


@task
def draft_scheduled_issue(at: str) -> str:
    """The scheduled draft of the next issue (newsletter.digest_schedule)."""
    return digest_schedule.run(at, enqueue_scheduled_draft, enqueue_deliveries)


def enqueue_scheduled_draft(at: datetime) -> None:
    draft_scheduled_issue.using(run_after=at).enqueue(at.isoformat())


def arm_digest_schedule(**kwargs) -> None:
    """When the site settings are saved or a worker starts: one task for the next time."""
    if at := digest_schedule.arm(enqueue_scheduled_draft):
        logger.info("Next issue draft scheduled for %s", at)
