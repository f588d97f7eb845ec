"""What every content app shares: publication state and the site's own settings."""

from django.db import models
from django.utils import timezone
from markdownx.models import MarkdownxField
from solo.models import SingletonModel

from core.markdown import render_markdown
from core.validators import validate_image_size


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, with a publication time that has passed.

        Every reader-facing query goes through here, so a scheduled item appears by itself
        once its time arrives, with no job to flip a flag.
        """
        return self.filter(status=Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())


class Publishable(models.Model):
    """Status, publication time and timestamps for anything readers see on a date."""

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publication date",
        default=timezone.now,
        db_index=True,
        help_text="A future date schedules the item: it appears by itself at that time.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"

    @property
    def is_published(self) -> bool:
        """Visible to readers right now."""
        return self.status == Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == Status.PUBLISHED and self.published_at > timezone.now()


class SiteSettings(SingletonModel):
    """The author card, social links and newsletter pitch: one record, edited in the admin."""

    author_name = models.CharField(max_length=100, default="Your Name")
    tagline = models.CharField(max_length=200, blank=True)
    bio = MarkdownxField(blank=True, help_text="Markdown. Shown in the author card on /.")
    bio_html = models.TextField(blank=True, editable=False)
    avatar = models.ImageField(upload_to="site/", blank=True, validators=[validate_image_size])
    site_description = models.CharField(
        max_length=300,
        blank=True,
        help_text="One sentence for search engines and feed readers.",
    )
    github_url = models.URLField("GitHub", blank=True)
    twitter_url = models.URLField("X / Twitter", blank=True)
    linkedin_url = models.URLField("LinkedIn", blank=True)
    mastodon_url = models.URLField("Mastodon", blank=True)
    bluesky_url = models.URLField("Bluesky", blank=True)
    email = models.EmailField("public email", blank=True)
    newsletter_name = models.CharField(max_length=100, default="Newsletter")
    newsletter_pitch = models.CharField(max_length=300, blank=True)
    subscriber_count_threshold = models.PositiveIntegerField(
        "show the reader count from",
        default=100,
        help_text="The signup box says “Join N readers” once there are at least this many.",
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.bio_html = render_markdown(self.bio)
        super().save(*args, **kwargs)

    @property
    def social_links(self) -> list[tuple[str, str]]:
        """(label, URL) for each social link that is filled in, in display order."""
        links = [
            ("GitHub", self.github_url),
            ("X", self.twitter_url),
            ("LinkedIn", self.linkedin_url),
            ("Mastodon", self.mastodon_url),
            ("Bluesky", self.bluesky_url),
            ("Email", f"mailto:{self.email}" if self.email else ""),
        ]
        return [(label, url) for label, url in links if url]

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.author_name.split()[:2]).upper() or "?"
