"""The newsletter's records beside issues and subscribers: what a digest carried, the
links saved for the next one, rate-limit windows, what the mail system sent back, and the
bounce mailbox poller's state. Defined here and imported by newsletter.models (Django finds
models there); foreign keys name their models as strings, so this module imports none."""

from django.db import models
from django.utils import timezone


class DigestItem(models.Model):
    """Something a newsletter issue carried ("post:12", "release:3", "link:5"), recorded
    when the digest draft was made (newsletter.digest): unique, so no later draft repeats
    it. Deleting the draft frees its items."""

    issue = models.ForeignKey(
        "newsletter.Issue", on_delete=models.CASCADE, related_name="digest_items"
    )
    key = models.CharField(max_length=40, unique=True)

    def __str__(self):
        return self.key


class SavedLink(models.Model):
    """A link the author saved for the next digest (newsletter.digest lists those that no
    issue has carried yet)."""

    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=200)
    note = models.TextField(blank=True, help_text="A line or two about it (Markdown).")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-saved_at"]

    def __str__(self):
        return self.title


class RateLimitWindow(models.Model):
    """How many attempts one client made in one window of a rate limit (newsletter.ratelimit).

    In the database rather than the cache: one atomic upsert counts, whatever the cache
    backend (the file-based one has no atomic increment), and page entries filling a capped
    cache cannot push a counter out."""

    key = models.CharField(max_length=120, unique=True)  # scope, hashed client, window
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"


class MailEvent(models.Model):
    """Something the mail system told us about an address after sending: a bounce, a
    complaint, an unsubscribe by email, an auto-reply. Stored whether or not it matched a
    subscriber, so the admin shows why an address is suppressed and nothing is lost."""

    class Kind(models.TextChoices):
        HARD = "hard", "Hard bounce"
        SOFT = "soft", "Soft bounce"
        COMPLAINT = "complaint", "Complaint"
        UNSUBSCRIBE = "unsubscribe", "Unsubscribe by email"
        AUTO_REPLY = "auto-reply", "Auto-reply"
        UNKNOWN = "unknown", "Not recognised"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    subscriber = models.ForeignKey(
        "newsletter.Subscriber",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mail_events",
    )
    delivery = models.ForeignKey(
        "newsletter.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mail_events",
    )
    recipient = models.CharField(max_length=254, blank=True)
    diagnostic = models.CharField(max_length=1000, blank=True)
    # mailbox, replay, smtp or webhook:<provider>
    source = models.CharField(max_length=40)
    # The same event told twice (a replayed webhook, a bounce read again) has one effect.
    event_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(auto_now_add=True)
    # What it did: the policy's words ("suppressed: hard bounce", "no subscriber matched").
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["subscriber", "kind", "occurred_at"], name="mailevent_policy_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.recipient or 'unknown address'}"


class UnrecognisedMail(models.Model):
    """A message from the bounce mailbox (or a replayed file) that could not be used: kept,
    never dropped, so the author can look at it."""

    received_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=40)
    reason = models.CharField(max_length=500)
    sender = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    # The raw message, up to NEWSLETTER_UNRECOGNISED_MAX_BYTES (`size` tells if it was cut).
    raw = models.BinaryField(editable=False)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "unrecognised mail"
        verbose_name_plural = "unrecognised mail"

    def __str__(self):
        return self.subject or f"Message of {self.size} bytes"


class MailboxPoller(models.Model):
    """The bounce mailbox poller's one row (newsletter.inbound.polling): which chain of
    poll_bounce_mailbox tasks is the live one (several workers may try to start one; the
    row's `chain` decides), and how the last poll went, which /readyz shows."""

    name = models.CharField(max_length=40, unique=True)
    chain = models.CharField(max_length=32, blank=True)
    # When the live chain's next task is due (while a poll runs: when its lease ends).
    next_run_at = models.DateTimeField(null=True, blank=True)
    running_since = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    last_summary = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return self.name
