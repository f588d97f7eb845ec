from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from markdownx.models import MarkdownxField

from core.markdown import render_markdown
from core.models import Publishable, SiteSettings


class Issue(Publishable):
    """One newsletter issue. Its page is public once published; sending it by email is
    tracked separately, per subscriber."""

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="Left blank, it is filled in as “<newsletter name>: Issue #<n>”.",
    )
    subtitle = models.CharField(max_length=300, blank=True)
    body = MarkdownxField()
    body_html = models.TextField(blank=True, editable=False)

    class Meta(Publishable.Meta):
        indexes = [models.Index(fields=["status", "-published_at"], name="issue_published_idx")]

    def __str__(self):
        return self.title or f"Issue #{self.number}"

    def save(self, *args, **kwargs):
        if not self.title:
            self.title = self.default_title()
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("newsletter:issue", kwargs={"number": self.number})

    def default_title(self) -> str:
        return f"{SiteSettings.get_solo().newsletter_name}: Issue #{self.number}"


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Subscriber.Status.ACTIVE)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    source = models.CharField(
        max_length=100, blank=True, help_text="Where the signup came from (page, import, admin)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
        super().save(*args, **kwargs)


def normalize_email(email: str) -> str:
    """Trimmed, with the domain lower-cased (the local part is the mailbox owner's)."""
    email = (email or "").strip()
    local, sep, domain = email.rpartition("@")
    return f"{local}{sep}{domain.lower()}" if sep else email
