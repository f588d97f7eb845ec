from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from markdownx.models import MarkdownxField

from blog.audio import format_duration, read_audio, validate_audio
from core.links import absolute_url, reverse_url
from core.markdown import first_paragraph_text, render_markdown, word_count
from core.models import Publishable, PublishableQuerySet, Status
from core.uploads import CheckedImageField, GeneratedName
from core.validators import validate_image_size

WORDS_PER_MINUTE = 230


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_url("blog:category", slug=self.slug)


class Series(models.Model):
    """An ordered run of posts ("part 2 of 4"), with its own page and feed."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = MarkdownxField(blank=True, help_text="Markdown. Shown on the series page.")
    description_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse_url("blog:series", slug=self.slug)

    def ordered_posts(self):
        """Its posts in reading order: by part number, then by publication date."""
        return self.posts.order_by(
            models.F("series_part").asc(nulls_last=True), "published_at", "pk"
        )


class PostQuerySet(PublishableQuerySet):
    def for_lists(self):
        """What a list card needs, without the heavy body columns."""
        return self.defer("body", "body_html").prefetch_related("categories")

    def with_last_update(self):
        """Annotate `last_update_at`, the date of the newest update note (see revised_at)."""
        newest = PostUpdate.objects.filter(post=models.OuterRef("pk")).order_by("-date")
        return self.annotate(last_update_at=models.Subquery(newest.values("date")[:1]))


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
    cover_image = CheckedImageField(
        upload_to=GeneratedName("covers"), blank=True, validators=[validate_image_size]
    )
    cover_alt = models.CharField(
        "cover image description", max_length=200, blank=True, help_text="Alternative text."
    )
    audio = models.FileField(
        "audio version",
        upload_to=GeneratedName("audio"),
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
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    series_part = models.PositiveSmallIntegerField(
        "part",
        null=True,
        blank=True,
        help_text="Its place in the series (1, 2, 3…). Left blank: by publication date.",
    )

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
        loaded = getattr(self, "_loaded", {})
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._redirect_old_url(loaded)
        self._loaded = {name: getattr(self, name) for name in self.TRACKED_FIELDS}

    def get_absolute_url(self):
        return reverse_url("blog:post", slug=self.slug)

    # What the row held when it was loaded, to notice a published post's slug change.
    TRACKED_FIELDS = ("slug", "status", "published_at")

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded = {
            name: instance.__dict__[name]
            for name in cls.TRACKED_FIELDS
            if name in instance.__dict__
        }
        return instance

    def _redirect_old_url(self, loaded):
        from blog.redirects import forget_redirect, redirect_path

        old_slug = loaded.get("slug")
        was_public = (
            loaded.get("status") == Status.PUBLISHED
            and loaded.get("published_at") is not None
            and loaded["published_at"] <= timezone.now()
        )
        if old_slug and old_slug != self.slug and was_public:
            old = reverse("blog:post", kwargs={"slug": old_slug})
            redirect_path(old, self.get_absolute_url())
        elif self.is_published and (old_slug != self.slug or not was_public):
            # A post that goes public at an address that used to redirect takes it over.
            forget_redirect(self.get_absolute_url())

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

    @cached_property
    def category_list(self) -> list["Category"]:
        """The post's categories, read once (from a prefetch when there was one; the post
        page sets them itself)."""
        return list(self.categories.all())

    @cached_property
    def update_list(self) -> list["PostUpdate"]:
        """The post's update notes, newest first, read once (like category_list)."""
        return list(self.updates.all())

    @property
    def revised_at(self):
        """When the post last changed for readers: its newest update note, or its
        publication. Feeds send it as `updated`; it never moves the publication date."""
        latest = getattr(self, "last_update_at", None)  # annotated by feeds and pages
        if latest is None and (
            "update_list" in self.__dict__
            or "updates" in getattr(self, "_prefetched_objects_cache", {})
        ):
            latest = max((update.date for update in self.update_list), default=None)
        return max(self.published_at, latest) if latest else self.published_at

    @property
    def opengraph_tags(self) -> dict[str, str]:
        """Open Graph and Twitter card tags for the post page (empty values left out)."""
        image = absolute_url(self.cover_image.url) if self.cover_image else ""
        categories = [c.name for c in self.category_list]
        tags = {
            "og:type": "article",
            "og:title": self.title,
            "og:description": self.description,
            "og:url": absolute_url(self.get_absolute_url()),
            "og:image": image,
            "og:image:alt": self.cover_alt if image else "",
            "og:audio": absolute_url(self.audio.url) if self.audio else "",
            "og:audio:type": self.audio_mime_type if self.audio else "",
            "article:published_time": self.published_at.isoformat(),
            "article:modified_time": self.revised_at.isoformat(),
            "article:section": categories[0] if categories else "",
            "twitter:card": "summary_large_image" if image else "summary",
            "twitter:title": self.title,
            "twitter:description": self.description,
            "twitter:image": image,
        }
        return {key: value for key, value in tags.items() if value}

    def json_ld(self, site) -> dict:
        """schema.org BlogPosting with its author (a Person), for search engines."""
        url = absolute_url(self.get_absolute_url())
        author = {"@type": "Person", "name": site.author_name, "url": settings.SITE_URL + "/"}
        same_as = [link for _, link in site.social_links if link.startswith("http")]
        if same_as:
            author["sameAs"] = same_as
        if site.avatar:
            author["image"] = absolute_url(site.avatar.url)
        data = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": self.title,
            "description": self.description,
            "url": url,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "datePublished": self.published_at.isoformat(),
            "dateModified": self.revised_at.isoformat(),
            "author": author,
            "publisher": author,
            "wordCount": self.word_count,
            "timeRequired": f"PT{self.reading_minutes}M",
            "inLanguage": settings.LANGUAGE_CODE,
        }
        if self.cover_image:
            data["image"] = absolute_url(self.cover_image.url)
        keywords = [c.name for c in self.category_list]
        if keywords:
            data["keywords"] = keywords
            data["articleSection"] = keywords[0]
        if self.audio:
            data["audio"] = {
                "@type": "AudioObject",
                "contentUrl": absolute_url(self.audio.url),
                "encodingFormat": self.audio_mime_type,
                "duration": f"PT{self.audio_duration}S",
            }
        if self.series_id:
            data["isPartOf"] = {
                "@type": "CreativeWorkSeries",
                "name": self.series.title,
                "url": absolute_url(self.series.get_absolute_url()),
            }
        return data


class PostUpdate(models.Model):
    """A dated note added to a published post ("Update, 2 September: …"), shown at the top
    of the post. Its date becomes the post's `updated` date in feeds; the publication date
    stays as it was."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="updates")
    date = models.DateTimeField(default=timezone.now)
    note = MarkdownxField(help_text="Markdown: what changed, in a sentence or two.")
    note_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "update note"

    def __str__(self):
        return f"Update of {self.date:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.note_html = render_markdown(self.note)
        super().save(*args, **kwargs)
