"""Sending an issue to every active subscriber, exactly once as far as SMTP allows: what
the author does (send now, schedule, cancel a schedule, send a test), for the admin and
the send_issue command.

Life of a Delivery row (one per issue and subscriber)::

    queued ──claim──▶ sending ──SMTP accepted──▶ sent
      ▲                  │ ├──permanent refusal (5xx)──▶ failed (reason kept)
      └──temporary───────┘ └──subscriber left meanwhile──▶ skipped
         failure: back-off, or given up after NEWSLETTER_MAX_ATTEMPTS ──▶ failed

Where each part lives, from the author's click to the mail server:

- newsletter.queueing: creating the rows and enqueueing the runs, now or at a set time;
- newsletter.tasks: the deliver_issue and start_scheduled_send tasks that run the rest;
- newsletter.send_loop: one worker's run (batches over one SMTP connection; why a crash
  costs at most one duplicate and never a lost message);
- newsletter.delivery_claims: the lease a worker holds on its batch, and the guarded
  updates that record each row's outcome;
- newsletter.smtp_errors and newsletter.retry_policy: temporary or permanent, and when
  to try again;
- newsletter.wakeups: the runs the sending schedules for itself (retries, a dead
  worker's batch).

This module binds the queueing to the tasks, which is why it sits above both.
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import mailers

from newsletter import emails, queueing, tasks
from newsletter.models import Issue
from newsletter.queueing import SendingError, cancel_schedule

__all__ = [
    "SendingError",
    "cancel_schedule",
    "schedule_send",
    "send_test",
    "start_sending",
]


def start_sending(issue: Issue) -> int:
    """Create one delivery per active subscriber and enqueue the work. Returns how many."""
    return queueing.start_sending(issue, tasks.enqueue_deliveries)


def schedule_send(issue: Issue, send_at: datetime) -> None:
    """Send the issue at `send_at` (the deliveries are created then)."""
    queueing.schedule_send(issue, send_at, tasks.enqueue_scheduled_start)


def send_test(issue: Issue, to: str) -> None:
    """Send the issue, as subscribers would get it, to one address now (no queue)."""
    mailers[settings.NEWSLETTER_MAILER].send_messages([emails.test_message(issue, to)])
