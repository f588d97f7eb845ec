"""What the mail system tells us after sending, applied to the list.

Every source (the bounce mailbox, `process_bounce` files, provider webhooks, refusals
during the SMTP conversation) turns what it heard into a MailFeedback and calls `apply`,
so one policy decides, like a provider's suppression list:

- a hard bounce suppresses the address at once;
- soft bounces suppress it after NEWSLETTER_SOFT_BOUNCE_LIMIT within
  NEWSLETTER_SOFT_BOUNCE_DAYS, counted once per message (delivery);
- a complaint unsubscribes and suppresses it;
- an unsubscribe by email unsubscribes it;
- an auto-reply is stored and changes nothing.

A suppressed address gets no email of any kind until it signs up and confirms again (or
the author lifts the suppression in the admin). Every event is stored (MailEvent), matched
or not, and the same event told twice (`event_id`) has one effect.
"""

import email
import email.policy
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

from newsletter.models import (
    Delivery,
    MailEvent,
    Subscriber,
    UnrecognisedMail,
    cancel_queued_deliveries,
)

logger = logging.getLogger(__name__)

Kind = MailEvent.Kind

# Our issue emails' Message-ID (newsletter.emails.RenderedIssue): the delivery is in it.
OUR_MESSAGE_ID = re.compile(r"<?issue-\d+\.(\d{1,18})@[^>\s]+>?")
# A Message-ID header quoted in a returned original or a provider's bounce dump.
QUOTED_MESSAGE_ID = re.compile(r"^Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)


def quoted_message_id(text: str) -> str:
    """The first of our Message-IDs quoted in `text`, or ""."""
    for candidate in QUOTED_MESSAGE_ID.findall(text):
        if OUR_MESSAGE_ID.fullmatch(candidate):
            return candidate
    return ""


@dataclass
class MailFeedback:
    kind: str
    recipient: str = ""
    delivery_id: int | None = None
    subscriber_id: int | None = None
    message_id: str = ""
    provider_message_id: str = ""
    diagnostic: str = ""
    source: str = ""
    event_id: str = ""
    occurred_at: datetime | None = None


@dataclass
class Outcome:
    subscriber_id: int | None
    applied: bool
    event_id: int | None
    reason: str


def _delivery(feedback: MailFeedback) -> Delivery | None:
    delivery_id = feedback.delivery_id
    if delivery_id is None and feedback.message_id:
        match = OUR_MESSAGE_ID.search(feedback.message_id)
        delivery_id = int(match.group(1)) if match else None
    if delivery_id is None:
        return None
    return Delivery.objects.select_related("subscriber").filter(pk=delivery_id).first()


def _sent_to(address: str) -> Subscriber | None:
    """The subscriber with this address, if the site ever emailed it (a confirmation or an
    issue): a bounce about an address we never wrote to is not ours to act on."""
    if not address:
        return None
    emailed = Q(confirmation_sent_at__isnull=False) | Exists(
        Delivery.objects.filter(subscriber=OuterRef("pk"), sent_at__isnull=False)
    )
    return (
        Subscriber.objects.annotate(address=Lower("email"))
        .filter(emailed, address=address.strip().lower())
        .first()
    )


def match(feedback: MailFeedback) -> tuple[Subscriber | None, Delivery | None]:
    """The subscriber (and delivery) an event is about: the VERP token or our Message-ID
    first (they name the message), then a confirmation's token, then the address."""
    delivery = _delivery(feedback)
    if delivery is not None:
        return delivery.subscriber, delivery
    if feedback.subscriber_id is not None:
        subscriber = Subscriber.objects.filter(pk=feedback.subscriber_id).first()
        if subscriber is not None:
            return subscriber, None
    return _sent_to(feedback.recipient), None


def _suppress(subscriber: Subscriber, reason: str, *, unsubscribe: bool, now) -> None:
    values = {"suppressed_at": now, "suppression_reason": reason[:300], "updated_at": now}
    if unsubscribe:
        values.update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=now)
    elif subscriber.status in (Subscriber.Status.ACTIVE, Subscriber.Status.PENDING):
        values["status"] = Subscriber.Status.BOUNCED
    Subscriber.objects.filter(pk=subscriber.pk).update(**values)
    cancel_queued_deliveries(Subscriber.objects.filter(pk=subscriber.pk))


def _soft_bounces(subscriber: Subscriber, now) -> int:
    """Soft bounces within the window, one per message: a message delayed and then given
    up on (or reported twice by a provider) says once that the mailbox had trouble."""
    since = now - timedelta(days=settings.NEWSLETTER_SOFT_BOUNCE_DAYS)
    counts = MailEvent.objects.filter(
        subscriber=subscriber, kind=Kind.SOFT, occurred_at__gte=since
    ).aggregate(
        messages=Count("delivery", distinct=True),
        unmatched=Count("pk", filter=Q(delivery__isnull=True)),
    )
    return counts["messages"] + counts["unmatched"]


def _policy(kind: str, subscriber: Subscriber, diagnostic: str, now, *, dry_run: bool) -> str:
    """Apply the policy to a matched subscriber; returns what it did, in words. The event
    itself is already stored (so it counts among the soft bounces)."""
    detail = f": {diagnostic}" if diagnostic else ""
    if kind == Kind.HARD:
        if not dry_run:
            _suppress(subscriber, f"Hard bounce{detail}", unsubscribe=False, now=now)
        return "suppressed (hard bounce)"
    if kind == Kind.SOFT:
        limit = settings.NEWSLETTER_SOFT_BOUNCE_LIMIT
        count = _soft_bounces(subscriber, now) + (1 if dry_run else 0)
        if count < limit:
            return f"soft bounce {count} of {limit} in {settings.NEWSLETTER_SOFT_BOUNCE_DAYS} days"
        reason = f"{count} soft bounces in {settings.NEWSLETTER_SOFT_BOUNCE_DAYS} days{detail}"
        if not dry_run:
            _suppress(subscriber, reason, unsubscribe=False, now=now)
        return f"suppressed ({count} soft bounces)"
    if kind == Kind.COMPLAINT:
        if not dry_run:
            _suppress(subscriber, f"Complaint{detail}", unsubscribe=True, now=now)
        return "unsubscribed and suppressed (complaint)"
    if kind == Kind.UNSUBSCRIBE:
        if not dry_run:
            subscriber.unsubscribe()
        return "unsubscribed (by email)"
    return "nothing to do"


# The kinds that change a matched subscriber (an auto-reply or an unknown message never do).
ACTING = {Kind.HARD, Kind.SOFT, Kind.COMPLAINT, Kind.UNSUBSCRIBE}


def apply(feedback: MailFeedback, *, dry_run: bool = False) -> Outcome:
    """Store the event and apply the policy (see the module's docstring). With `dry_run`
    nothing is written; the outcome says what would have happened."""
    now = feedback.occurred_at or timezone.now()
    subscriber, delivery = match(feedback)
    key = f"{feedback.source}:{feedback.event_id}"[:255] if feedback.event_id else None
    if key and MailEvent.objects.filter(event_key=key).exists():
        return Outcome(getattr(subscriber, "pk", None), False, None, "already applied")
    acting = subscriber is not None and feedback.kind in ACTING
    if dry_run:
        reason = (
            _policy(feedback.kind, subscriber, feedback.diagnostic, now, dry_run=True)
            if acting
            else _unapplied_reason(feedback, subscriber)
        )
        return Outcome(getattr(subscriber, "pk", None), acting, None, reason)
    try:
        with transaction.atomic():
            event = MailEvent.objects.create(
                kind=feedback.kind,
                subscriber=subscriber,
                delivery=delivery,
                recipient=(feedback.recipient or getattr(subscriber, "email", ""))[:254],
                diagnostic=feedback.diagnostic[:1000],
                source=feedback.source[:40],
                event_key=key,
                occurred_at=now,
            )
            if acting:
                reason = _policy(feedback.kind, subscriber, feedback.diagnostic, now, dry_run=False)
            else:
                reason = _unapplied_reason(feedback, subscriber)
            MailEvent.objects.filter(pk=event.pk).update(outcome=reason[:300])
    except IntegrityError:  # the same event, applied at this moment by another process
        return Outcome(getattr(subscriber, "pk", None), False, None, "already applied")
    if acting:
        logger.info("Mail event %s for subscriber %s: %s", feedback.kind, subscriber.pk, reason)
    return Outcome(getattr(subscriber, "pk", None), acting, event.pk, reason)


def _unapplied_reason(feedback: MailFeedback, subscriber: Subscriber | None) -> str:
    if subscriber is None:
        return "no subscriber matched (an address the site never emailed?)"
    if feedback.kind == Kind.AUTO_REPLY:
        return "auto-reply: ignored"
    return "not recognised: nothing changed"


def keep_unrecognised(raw: bytes, reason: str, source: str) -> int:
    """Keep a message that could not be used (UnrecognisedMail), so nothing is lost."""
    limit = getattr(settings, "NEWSLETTER_UNRECOGNISED_MAX_BYTES", 10 * 1024 * 1024)
    sender = subject = ""
    try:
        headers = email.message_from_bytes(raw[:65536], policy=email.policy.compat32)
        sender, subject = str(headers.get("From", ""))[:300], str(headers.get("Subject", ""))[:300]
    except Exception:  # the headers are as broken as the rest: keep the bytes anyway
        logger.debug("Unreadable headers in an unrecognised message", exc_info=True)
    row = UnrecognisedMail.objects.create(
        source=source[:40],
        reason=reason[:500],
        sender=sender,
        subject=subject,
        size=len(raw),
        raw=bytes(raw[:limit]),
    )
    return row.pk
