"""What became of a confirmation email, kept on the subscriber for the admin: the mail
server's refusal (with the time of the next attempt, if one is queued), or nothing once a
retried email got through. The confirmation task records these."""

from django.utils import timezone

from newsletter.models import Subscriber


def confirmation_failed(subscriber_id: int, reason: str, *, retry_at=None) -> None:
    """Keep the mail server's reason for the admin. With `retry_at` another attempt is
    already queued (and still counts for the throttle); without, the email is given up."""
    if retry_at is not None:
        when = timezone.localtime(retry_at)
        values = {"confirmation_error": f"{reason} (trying again at {when:%Y-%m-%d %H:%M})"}
    else:
        values = {"confirmation_error": reason, "confirmation_failed_at": timezone.now()}
    values["confirmation_error"] = values["confirmation_error"][:500]
    Subscriber.objects.filter(pk=subscriber_id).update(**values)


def confirmation_accepted(subscriber_id: int) -> None:
    """A retried confirmation got through: forget the earlier attempt's error."""
    Subscriber.objects.filter(pk=subscriber_id).exclude(confirmation_error="").update(
        confirmation_error="", confirmation_failed_at=None
    )
