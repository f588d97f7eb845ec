from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.html import escape
from markdownx.models import MarkdownxField
from packaging.version import InvalidVersion, Version

from core.links import absolute_url, reverse_url
from core.markdown import render_markdown
from core.models import Publishable


def validate_version(value: str):
    """Accept what projects really tag: 1.2.3, 0.10, 2.0.0-rc.1, 1.0b2 (no leading v)."""
    if value[:1] in "vV":
        raise ValidationError("Write the version without the leading “v”, e.g. 0.10.2.")
    try:
        Version(value)
    except InvalidVersion:
        raise ValidationError(
            "“%(value)s” is not a version number (expected something like 1.4.0 or 2.0.0-rc.1).",
            params={"value": value},
        ) from None


class ProjectQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


GITHUB_REPO = RegexValidator(
    r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", "Write it as owner/name, e.g. riley/lambda-router."
)


class ImportMode(models.TextChoices):
    DRAFT = "draft", "As drafts, for me to review"
    PUBLISHED = "published", "Published at once"


class Project(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    tagline = models.CharField(max_length=200, blank=True)
    description = MarkdownxField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    repository_url = models.URLField("repository URL", blank=True)
    package_url = models.URLField("package URL", blank=True)
    docs_url = models.URLField("docs URL", blank=True)
    display_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Inactive projects are not listed.")
    # Where it is released (projects.imports): webhooks and polling turn those releases into
    # Releases here.
    github_repo = models.CharField(
        "GitHub repository", max_length=140, blank=True, validators=[GITHUB_REPO],
        help_text="owner/name. Its releases arrive by webhook (/hooks/github/) or polling.",
    )  # fmt: skip
    gitlab_project = models.CharField(
        "GitLab project", max_length=255, blank=True, help_text="group/name, or its numeric id."
    )
    pypi_name = models.CharField("PyPI name", max_length=100, blank=True)
    npm_name = models.CharField("npm name", max_length=214, blank=True)
    import_mode = models.CharField(
        "imported releases arrive", max_length=10, choices=ImportMode.choices,
        default=ImportMode.DRAFT,
    )  # fmt: skip
    import_prereleases = models.BooleanField(
        "import pre-releases", default=False, help_text="Release candidates, betas, alphas."
    )
    tag_prefix = models.CharField(
        max_length=50, default="v", blank=True,
        help_text="Taken off a tag to make the version: “v” turns v0.10.0 into 0.10.0.",
    )  # fmt: skip
    release_title = models.CharField(
        "imported release title", max_length=200, default="{project} v{version} released",
        help_text=escape("For imported releases: {project} and {version} are filled in."),
    )  # fmt: skip
    webhook_secret = models.CharField(
        "GitHub webhook secret", max_length=200, blank=True,
        help_text="This repository's own secret, if it has one (else GITHUB_WEBHOOK_SECRET).",
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("github_repo"),
                condition=~models.Q(github_repo=""),
                name="project_unique_github_repo",
                violation_error_message="Another project has this repository.",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse_url("projects:project", slug=self.slug)

    @property
    def releases_topic_key(self) -> str:
        """The newsletter topic of its releases ("Email me new releases", mailings): by id,
        so a renamed project keeps its followers."""
        return f"project-{self.pk}-releases"


class Release(Publishable):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=50, validators=[validate_version])
    title = models.CharField(
        max_length=200,
        blank=True,
        # Help texts are HTML in the admin: the placeholders must be escaped to show.
        help_text=escape("Left blank, it is filled in as “<project> v<version> released”."),
    )
    summary = models.TextField(help_text="The short paragraph shown in the timeline.")
    notes = MarkdownxField("release notes", blank=True)
    notes_html = models.TextField(blank=True, editable=False)
    # Imported releases (projects.imports): where from, the upstream page, and a hash of the
    # title, summary and notes as imported, which tells an edit made here from none.
    source = models.CharField(max_length=10, blank=True, editable=False)
    upstream_url = models.URLField("upstream page", max_length=500, blank=True)
    imported_hash = models.CharField(max_length=64, blank=True, editable=False)
    upstream_changed_at = models.DateTimeField(
        "changed upstream", null=True, blank=True, editable=False,
        help_text="Upstream edited it after you did here: your text was kept.",
    )  # fmt: skip
    upstream_deleted_at = models.DateTimeField(
        "deleted upstream", null=True, blank=True, editable=False
    )

    class Meta(Publishable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="release_unique_version")
        ]
        indexes = [models.Index(fields=["status", "-published_at"], name="release_published_idx")]

    def __str__(self):
        return self.title or self.default_title()

    def save(self, *args, **kwargs):
        if not self.title:
            self.title = self.default_title()
        self.notes_html = render_markdown(self.notes)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse_url("projects:release", slug=self.project.slug, version=self.version)

    def default_title(self) -> str:
        return f"{self.project.name} v{self.version} released"

    @property
    def opengraph_tags(self) -> dict[str, str]:
        """Open Graph and Twitter card tags for the release page."""
        return {
            "og:type": "article",
            "og:title": self.title,
            "og:description": self.summary,
            "og:url": absolute_url(self.get_absolute_url()),
            "article:published_time": self.published_at.isoformat(),
            "article:section": self.project.name,
            "twitter:card": "summary",
            "twitter:title": self.title,
            "twitter:description": self.summary,
        }


class ReleaseFeed(models.Model):
    """One place a project's releases are polled from (GitHub, GitLab, PyPI, npm): the
    validators of the last answer for conditional requests, and the back-off after errors
    (projects.imports.polling)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="feeds")
    source = models.CharField(max_length=10)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="releasefeed_unique")
        ]

    def __str__(self):
        return f"{self.project} on {self.source}"


class WebhookDelivery(models.Model):
    """A webhook delivery already handled (GitHub's X-GitHub-Delivery, GitLab's
    Idempotency-Key or event UUID): a redelivery of it changes nothing."""

    delivery_id = models.CharField(max_length=100, unique=True)
    source = models.CharField(max_length=10)
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.source} {self.delivery_id}"


class ReleasePolling(models.Model):
    """The one row of the polling schedule (projects.imports.polling): when the live
    poll_releases task is due, so that however many workers start, one chain runs."""

    next_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Release polling, next at {self.next_at}"
