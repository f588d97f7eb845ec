"""An email made from an item (a post, a release) follows the item's publication: sent
once the item is out, scheduled for its time while it is scheduled, moved when it is
rescheduled, cancelled (back to draft) when the item goes back to draft. Once sending
started, nothing changes it."""

from datetime import datetime

from django.utils import timezone

from core.models import Status
from newsletter import sending
from newsletter.models import Issue


def send_or_schedule(email: Issue, published_at: datetime) -> None:
    """Send now if the item is out, else at its time. Raises sending.SendingError."""
    if published_at <= timezone.now():
        sending.start_sending(email)
    elif email.send_at != published_at:
        sending.schedule_send(email, published_at)


def follow(email: Issue, status: str, published_at: datetime) -> None:
    """Keep an unsent email in step with its item. Raises sending.SendingError."""
    if email.sending_started_at:
        return
    if status != Status.PUBLISHED:
        sending.cancel_schedule(email)
        Issue.objects.filter(pk=email.pk).update(status=Status.DRAFT)
        return
    Issue.objects.filter(pk=email.pk).update(status=Status.PUBLISHED, published_at=published_at)
    email.refresh_from_db()
    send_or_schedule(email, published_at)
