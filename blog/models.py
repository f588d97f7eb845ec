from django.db import models
from django.urls import reverse
from markdownx.models import MarkdownxField

from blog.audio import format_duration, read_audio, validate_audio
from core.markdown import first_paragraph_text, render_markdown, word_count
from core.models import Publishable, PublishableQuerySet
from core.validators import validate_image_size

WORDS_PER_MINUTE = 230


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:category", kwargs={"slug": self.slug})


class PostQuerySet(PublishableQuerySet):
    def for_lists(self):
        """What a list card needs, without the heavy body columns."""
        return self.defer("body", "body_html").prefetch_related("categories")


class Post(Publishable):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    body = MarkdownxField(help_text="Markdown. Drag an image into the editor to upload it.")
    body_html = models.TextField(blank=True, editable=False)
    excerpt = models.TextField(
        blank=True,
        help_text="Plain text for lists and feeds. Left blank, the body's first paragraph is used.",
    )
    teaser = models.TextField(blank=True, editable=False)
    categories = models.ManyToManyField(Category, blank=True, related_name="posts")
    featured = models.BooleanField(default=False, help_text="Highlighted in the timeline.")
    cover_image = models.ImageField(
        upload_to="covers/%Y/", blank=True, validators=[validate_image_size]
    )
    cover_alt = models.CharField(
        "cover image description", max_length=200, blank=True, help_text="Alternative text."
    )
    audio = models.FileField(
        "audio version",
        upload_to="audio/%Y/",
        blank=True,
        validators=[validate_audio],
        help_text="MP3, M4A or OGG. Its length and type are read from the file.",
    )
    audio_size = models.PositiveBigIntegerField(default=0, editable=False)
    audio_mime_type = models.CharField(max_length=40, blank=True, editable=False)
    audio_duration = models.PositiveIntegerField(default=0, editable=False, help_text="Seconds.")
    meta_description = models.CharField(
        max_length=300, blank=True, help_text="For search engines; the excerpt when blank."
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta(Publishable.Meta):
        indexes = [models.Index(fields=["status", "-published_at"], name="post_published_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        self.teaser = self.excerpt.strip() or first_paragraph_text(self.body)
        self.word_count = word_count(self.body)
        self._read_audio_metadata()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:post", kwargs={"slug": self.slug})

    def _read_audio_metadata(self):
        if not self.audio:
            self.audio_size, self.audio_mime_type, self.audio_duration = 0, "", 0
            return
        # A new upload, or a file whose details were never read.
        if not self.audio._committed or not self.audio_mime_type:
            was_closed = self.audio.closed
            try:
                info = read_audio(self.audio)
            finally:
                # A stored file opened just to be read is closed again.
                if was_closed and self.audio._committed:
                    self.audio.close()
            self.audio_size = info.size
            self.audio_mime_type = info.mime_type
            self.audio_duration = info.duration_seconds

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    @property
    def audio_duration_display(self) -> str:
        return format_duration(self.audio_duration)

    @property
    def description(self) -> str:
        return self.meta_description or self.teaser
