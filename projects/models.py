from django.core.exceptions import ValidationError
from django.db import models
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
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]

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
