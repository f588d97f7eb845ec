import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.html import escape
from markdownx.models import MarkdownxField

from core.links import reverse_url
from core.markdown import render_markdown
from core.models import Publishable, PublishableQuerySet, SiteSettings


class TopicQuerySet(models.QuerySet):
    def newsletter(self) -> "Topic":
        """The newsletter's own topic, made again if a flushed database lost it (the data
        migration makes it; it cannot be removed in the admin)."""
        topic = self.filter(kind=Topic.Kind.NEWSLETTER).order_by("pk").first()
        if topic is None:
            topic, _ = self.get_or_create(
                key="newsletter",
                defaults={
                    "name": "The newsletter",
                    "kind": Topic.Kind.NEWSLETTER,
                    "offered_at_signup": True,
                },
            )
        return topic


class Topic(models.Model):
    """What a subscriber chooses to receive: the newsletter itself, every new post, or one
    project's releases. Every email belongs to one topic (Issue.topic), goes only to the
    active subscribers who follow it, and its one-click unsubscribe leaves only that topic
    (newsletter.topics)."""

    class Kind(models.TextChoices):
        NEWSLETTER = "newsletter", "The newsletter"
        POSTS = "posts", "Every new post"
        RELEASES = "releases", "A project's releases"

    key = models.SlugField(max_length=120, unique=True, help_text="Used in links; never shown.")
    name = models.CharField(max_length=200, help_text="What readers see, e.g. “New posts”.")
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    offered_at_signup = models.BooleanField(
        "offered on the signup form",
        default=False,
        help_text="Shown as a choice on the newsletter's signup form (ticked for the "
        "newsletter itself). Every topic is on the preferences page.",
    )
    position = models.PositiveIntegerField(default=0)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class IssueQuerySet(PublishableQuerySet):
    def published(self, now=None):
        """Issues on the web: published, and not kept to email (`on_web`)."""
        return super().published(now).filter(on_web=True)


class Issue(Publishable):
    """One email to a topic's subscribers: a newsletter issue (numbered, with a page in the
    archive unless it is email-only), a post sent by email or a release alert (composed by
    the mailings app). Sending is tracked separately, one Delivery per subscriber (see
    newsletter.sending)."""

    class Kind(models.TextChoices):
        NEWSLETTER = "newsletter", "Newsletter issue"
        POST = "post", "Post by email"
        RELEASE = "release", "Release alert"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEWSLETTER)
    number = models.PositiveIntegerField(
        unique=True, null=True, blank=True, help_text="Newsletter issues only."
    )
    topic = models.ForeignKey(
        Topic,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
        help_text="Who receives it: that topic's subscribers (left blank: the newsletter's).",
    )
    on_web = models.BooleanField(
        "on the web",
        default=True,
        help_text="Listed in the archive and the feeds. Untick for an email-only issue.",
    )
    by_email = models.BooleanField(
        "by email",
        default=True,
        help_text="Untick for a web-only issue: it is never sent.",
    )
    # Posts and releases by email: the item it was made from ("post:12", "release:3"), one
    # email per item whatever happens (a unique value), and the page it links to.
    source_key = models.CharField(max_length=40, unique=True, null=True, editable=False)
    source_url = models.CharField(max_length=500, blank=True, editable=False)
    title = models.CharField(
        max_length=200,
        blank=True,
        # Help texts are HTML in the admin: the placeholders must be escaped to show.
        help_text=escape("Left blank, it is filled in as “<newsletter name>: Issue #<n>”."),
    )
    subtitle = models.CharField(max_length=300, blank=True)
    body = MarkdownxField()
    body_html = models.TextField(blank=True, editable=False)
    send_at = models.DateTimeField(
        "scheduled send time",
        null=True,
        blank=True,
        editable=False,
        help_text="Set by “Send to subscribers” when the sending is scheduled for later.",
    )
    sending_started_at = models.DateTimeField(
        "sent to subscribers at", null=True, blank=True, editable=False
    )
    # The one future wake-up of the sending task that is already enqueued (see
    # newsletter.wakeups.schedule_wake); internal bookkeeping.
    send_wake_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = IssueQuerySet.as_manager()

    class Meta(Publishable.Meta):
        indexes = [models.Index(fields=["status", "-published_at"], name="issue_published_idx")]

    def __str__(self):
        return self.title or (f"Issue #{self.number}" if self.number else f"Email {self.pk}")

    def save(self, *args, **kwargs):
        if not self.title and self.number:
            self.title = self.default_title()
        if self.topic_id is None and self.kind == self.Kind.NEWSLETTER:
            self.topic = Topic.objects.newsletter()
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.number is not None:
            return reverse_url("newsletter:issue", number=self.number)
        # A post or release by email: its page (lists read only `number`: never here).
        return self.source_url or reverse_url("newsletter:index")

    def default_title(self) -> str:
        return f"{SiteSettings.get_solo().newsletter_name}: Issue #{self.number}"

    def clean(self):
        if self.kind == self.Kind.NEWSLETTER and self.number is None:
            raise ValidationError({"number": "A newsletter issue needs a number."})

    @classmethod
    def next_number(cls) -> int:
        return (cls.objects.aggregate(last=models.Max("number"))["last"] or 0) + 1

    @property
    def label(self) -> str:
        """“Issue #3”, or the kind for emails without a number."""
        return f"Issue #{self.number}" if self.number else self.get_kind_display()

    def delivery_counts(self) -> dict[str, int]:
        """Deliveries of this issue by status (every status present, zeros included), plus
        "total" and "done" (sent, failed or skipped): one query."""
        counts = dict.fromkeys(Delivery.Status.values, 0)
        rows = self.deliveries.values_list("status").annotate(n=Count("pk")).order_by()
        counts.update(dict(rows))
        counts["total"] = sum(counts[s] for s in Delivery.Status.values)
        counts["done"] = counts["sent"] + counts["failed"] + counts["skipped"]
        return counts


def new_key() -> str:
    """A random, URL-safe value for the per-subscriber parts of signed links."""
    return secrets.token_urlsafe(12)


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        """Who gets issues: confirmed, still subscribed, and not suppressed."""
        return self.filter(status=Subscriber.Status.ACTIVE, suppressed_at__isnull=True)

    def create_many(self, subscribers, batch_size: int = 1000) -> list["Subscriber"]:
        """bulk_create, and the newsletter topic for each, as save() gives one subscriber."""
        created = self.bulk_create(subscribers, batch_size=batch_size)
        membership = Subscriber.topics.through
        topic = Topic.objects.newsletter()
        membership.objects.bulk_create(
            [membership(subscriber_id=s.pk, topic_id=topic.pk) for s in created],
            batch_size=batch_size,
            ignore_conflicts=True,
        )
        return created


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    source = models.CharField(
        max_length=100, blank=True, help_text="Where the signup came from (page, import, admin)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The mail server's answer when the last confirmation email was not accepted; cleared
    # when a new one is requested. A failed email does not count for the resend throttle.
    confirmation_error = models.CharField(
        "confirmation email problem", max_length=500, blank=True, editable=False
    )
    confirmation_failed_at = models.DateTimeField(
        "confirmation email failed at", null=True, blank=True, editable=False
    )
    confirmed_at = models.DateTimeField(
        "subscribed since",
        null=True,
        blank=True,
        editable=False,
        help_text="When the address was confirmed (or the date an import said).",
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the welcome email went out (newsletter.welcome): once per subscriber, however
    # often they leave and come back.
    welcomed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by a hard bounce, repeated soft bounces or a complaint (newsletter.inbound.policy):
    # the address gets no email of any kind until it signs up and confirms again, or the
    # author lifts the suppression. The events behind it are its mail_events.
    suppressed_at = models.DateTimeField(null=True, blank=True, editable=False)
    suppression_reason = models.CharField(max_length=300, blank=True, editable=False)
    # Secrets inside the signed links (newsletter.tokens): the unsubscribe key never
    # changes; the confirmation nonce changes each time the address becomes pending, so an
    # old confirmation link cannot re-subscribe someone who left.
    unsubscribe_key = models.CharField(max_length=24, default=new_key, editable=False)
    confirm_nonce = models.CharField(max_length=24, default=new_key, editable=False)
    # What they receive once active. A signup's choices are kept here while it is pending;
    # topics asked for by an address that is already active wait in `pending_topics` until
    # that request is confirmed (newsletter.topics).
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscribers")
    pending_topics = models.JSONField(default=list, blank=True, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="subscriber_unique_email",
                violation_error_message="This address is already on the list.",
            )
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:  # whoever is added without a choice (admin, import) gets the newsletter
            self.topics.add(Topic.objects.newsletter())

    def activate(self, when=None):
        """Pending → active (a confirmed signup)."""
        self.status = self.Status.ACTIVE
        self.confirmed_at = when or timezone.now()
        self.unsubscribed_at = None
        # Confirming again shows the mailbox works and is wanted: the suppression ends.
        self.suppressed_at, self.suppression_reason = None, ""
        self.save(
            update_fields=[
                "status",
                "confirmed_at",
                "unsubscribed_at",
                "suppressed_at",
                "suppression_reason",
                "updated_at",
            ]
        )

    def may_be_emailed(self) -> bool:
        """Not suppressed, or asked for this confirmation by signing up after the
        suppression (request_confirmation stamps confirmation_sent_at then)."""
        if self.suppressed_at is None:
            return True
        return bool(self.confirmation_sent_at and self.confirmation_sent_at > self.suppressed_at)

    def unsubscribe(self):
        """Leave the list: no further issue, including any queued for this address."""
        if self.status != self.Status.UNSUBSCRIBED:
            self.status = self.Status.UNSUBSCRIBED
            self.unsubscribed_at = timezone.now()
            self.save(update_fields=["status", "unsubscribed_at", "updated_at"])
        cancel_queued_deliveries(Subscriber.objects.filter(pk=self.pk))

    def make_pending(self):
        """Back to pending (a new signup after leaving): a fresh confirmation is needed."""
        self.status = self.Status.PENDING
        self.confirm_nonce = new_key()
        self.confirmation_sent_at = None
        self.save(update_fields=["status", "confirm_nonce", "confirmation_sent_at", "updated_at"])


def cancel_queued_deliveries(subscribers) -> int:
    """Deliveries still waiting for these subscribers will not be sent."""
    return Delivery.objects.filter(
        subscriber__in=subscribers, status=Delivery.Status.QUEUED
    ).update(status=Delivery.Status.SKIPPED, last_error="Not an active subscriber any more.")


def normalize_email(email: str) -> str:
    """Trimmed, with the domain lower-cased (the local part is the mailbox owner's)."""
    email = (email or "").strip()
    local, sep, domain = email.rpartition("@")
    return f"{local}{sep}{domain.lower()}" if sep else email


class Delivery(models.Model):
    """One issue to one subscriber: the unit of sending, retrying and reporting.

    Rows are created all at once when an issue is sent (one INSERT … SELECT, unique per
    issue and subscriber) and claimed in batches by workers; newsletter.sending explains
    the life cycle."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="delivery_unique_issue_subscriber"
            )
        ]
        indexes = [
            # What workers look for: the issue's rows still to send, oldest first.
            models.Index(
                fields=["issue", "status", "next_attempt_at"],
                name="delivery_pending_idx",
                condition=Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["issue", "status"], name="delivery_issue_status_idx"),
        ]

    def __str__(self):
        return f"Issue #{self.issue.number} → subscriber #{self.subscriber_id}"


# The rest of the app's models, in their own module (it imports nothing from this one).
from newsletter.records import (  # noqa: E402, F401 (re-exported)
    DigestItem,
    MailboxPoller,
    MailEvent,
    RateLimitWindow,
    SavedLink,
    UnrecognisedMail,
)
