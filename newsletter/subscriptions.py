"""Joining and leaving the list: the rules behind the signup form and the email links."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone

from newsletter import tasks
from newsletter.models import Subscriber, Topic


def find(email: str) -> Subscriber | None:
    """The subscriber with this address, whatever its case (uses the unique index)."""
    return Subscriber.objects.filter(Exact(Lower("email"), email.lower())).first()


def signup(email: str, name: str = "", source: str = "website", topics=None) -> None:
    """A valid signup from the form, for `topics` (the newsletter when None). Whatever the
    address's state, the caller answers the same ("check your inbox"), so the form never
    reveals who is subscribed:

    - new address: a pending subscriber and a confirmation email;
    - pending: the topics added to the choice, the confirmation again, at most once per
      NEWSLETTER_CONFIRM_RESEND_SECONDS;
    - active: nothing, unless it asks for topics it does not follow: those wait for a
      confirmation by email (newsletter.topics);
    - unsubscribed or bounced: pending again for these topics, with a new confirmation link.
    """
    topics = list(topics) if topics else []
    subscriber = find(email)
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=email,
                    name=name.strip(),
                    source=(source or "website")[:100],
                    status=Subscriber.Status.PENDING,
                )
                if topics:
                    subscriber.topics.set(topics)
        except IntegrityError:  # the same address, signing up twice at the same moment
            subscriber = find(email)
            if subscriber is None:
                raise
    elif subscriber.status == Subscriber.Status.ACTIVE:
        followed = set(subscriber.topics.values_list("pk", flat=True))
        wanted = [topic.key for topic in topics if topic.pk not in followed]
        if wanted:
            subscriber.pending_topics = sorted(set(subscriber.pending_topics) | set(wanted))
            subscriber.save(update_fields=["pending_topics", "updated_at"])
            request_confirmation(subscriber, signup=True)
        return
    elif subscriber.status in (Subscriber.Status.UNSUBSCRIBED, Subscriber.Status.BOUNCED):
        subscriber.make_pending()
        subscriber.topics.set(topics or [Topic.objects.newsletter()])
    elif topics:  # pending: add to what the earlier signup chose
        subscriber.topics.add(*topics)
    # The reader asked, just now: the one email a suppressed address may get (confirming
    # lifts the suppression).
    request_confirmation(subscriber, signup=True)


def request_confirmation(subscriber: Subscriber, *, signup: bool = False) -> bool:
    """Enqueue the confirmation email unless one went out in the last
    NEWSLETTER_CONFIRM_RESEND_SECONDS (decided by one conditional UPDATE, so two requests
    at once send one email). A suppressed address only gets one after a new signup. An
    active subscriber gets one to confirm the topics it asked for."""
    if subscriber.suppressed_at and not signup:
        return False
    if not mark_confirmation_sent(Subscriber.objects.filter(pk=subscriber.pk)):
        return False
    tasks.send_confirmation.enqueue(subscriber.pk)
    return True


def mark_confirmation_sent(queryset) -> int:
    """Stamp confirmation_sent_at on the pending subscribers of `queryset` that have not
    had a confirmation recently; returns how many were stamped.

    Only emails the mail server accepted (or that are still on their way) count as
    recent: one it refused (confirmation_failed_at) can be sent again at once."""
    now = timezone.now()
    recent = now - timedelta(seconds=settings.NEWSLETTER_CONFIRM_RESEND_SECONDS)
    waiting = Q(status=Subscriber.Status.PENDING) | (
        Q(status=Subscriber.Status.ACTIVE) & ~Q(pending_topics=[])
    )
    return (
        queryset.filter(waiting)
        .exclude(confirmation_sent_at__gt=recent, confirmation_failed_at__isnull=True)
        .update(confirmation_sent_at=now, confirmation_error="", confirmation_failed_at=None)
    )


def confirm(subscriber: Subscriber) -> bool:
    """Pending → active, and the welcome email enqueued for one who was never welcomed
    (newsletter.welcome); the topics asked for meanwhile are added. False when there was
    nothing to confirm."""
    added = add_pending_topics(subscriber)
    updated = Subscriber.objects.filter(
        pk=subscriber.pk,
        status=Subscriber.Status.PENDING,
        confirm_nonce=subscriber.confirm_nonce,
    ).update(
        status=Subscriber.Status.ACTIVE,
        confirmed_at=timezone.now(),
        unsubscribed_at=None,
        # Confirming shows the mailbox works and wants the newsletter: no more suppression.
        suppressed_at=None,
        suppression_reason="",
        updated_at=timezone.now(),
    )
    if updated:
        subscriber.refresh_from_db()
        if subscriber.welcomed_at is None:
            tasks.send_welcome.enqueue(subscriber.pk)
    return bool(updated or added)


def add_pending_topics(subscriber: Subscriber) -> int:
    """The topics this address asked for since it last confirmed, now followed."""
    with transaction.atomic():
        row = Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()
        if row is None or not row.pending_topics:
            return 0
        topics = list(Topic.objects.filter(key__in=row.pending_topics))
        row.topics.add(*topics)
        Subscriber.objects.filter(pk=row.pk).update(pending_topics=[])
    subscriber.pending_topics = []
    return len(topics)


def expired_pending(now=None):
    """Pending signups whose confirmation window has closed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS)
    pending = Subscriber.objects.filter(status=Subscriber.Status.PENDING)
    return pending.filter(confirmation_sent_at__lt=cutoff) | pending.filter(
        confirmation_sent_at__isnull=True, created_at__lt=cutoff
    )
