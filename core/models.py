"""What every content app shares: publication state and the site's own settings."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.html import escape
from markdownx.models import MarkdownxField
from solo.models import SingletonModel

from core.markdown import render_markdown
from core.podcast import CATEGORY_CHOICES
from core.prepared import PreparedQuery
from core.uploads import CheckedImageField, GeneratedName
from core.validators import validate_image_size, validate_podcast_artwork


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PublishableQuerySet(models.QuerySet):
    def published(self, now=None):
        """What readers may see: published, with a publication time that has passed (`now`,
        the current time unless given).

        Every reader-facing query goes through here, so a scheduled item appears by itself
        once its time arrives, with no job to flip a flag.
        """
        return self.filter(status=Status.PUBLISHED, published_at__lte=now or timezone.now())

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


# What a new subscriber gets by default once they confirm; the author edits it in the
# site settings (newsletter.welcome sends it).
WELCOME_EMAIL = (
    "Thank you for subscribing. You will get an email when there is a new issue, and nothing "
    "else; every email has a link to leave.\n\n"
    "Replying to any of them reaches me: tell me what you would like to read about."
)


# The next newsletter draft (newsletter.digest): Markdown with Django template tags, over
# what was published since the last sent issue.
DIGEST_TEMPLATE = """Hello! Here is what happened since the last issue.
{% if posts %}
## New posts
{% for it in posts %}
- **[{{ it.title }}]({{ it.url }})**{% if it.summary %}: {{ it.summary }}{% endif %}{% endfor %}
{% endif %}{% if releases %}
## Releases
{% for it in releases %}
- **[{{ it.title }}]({{ it.url }})**{% if it.summary %}: {{ it.summary }}{% endif %}{% endfor %}
{% endif %}{% if links %}
## Links worth your time
{% for it in links %}
- [{{ it.title }}]({{ it.url }}){% if it.summary %}: {{ it.summary }}{% endif %}{% endfor %}
{% endif %}
Thanks for reading. Reply to this email to tell me what you think.
"""
DIGEST_TIME = datetime.time(7, 0)
WEEKDAYS = [
    ("0", "Mondays"),
    ("1", "Tuesdays"),
    ("2", "Wednesdays"),
    ("3", "Thursdays"),
    ("4", "Fridays"),
    ("5", "Saturdays"),
    ("6", "Sundays"),
]


class SiteSettings(SingletonModel):
    """The author card, social links and newsletter pitch: one record, edited in the admin."""

    author_name = models.CharField(max_length=100, default="Your Name")
    tagline = models.CharField(max_length=200, blank=True)
    bio = MarkdownxField(blank=True, help_text="Markdown. Shown in the author card on /.")
    bio_html = models.TextField(blank=True, editable=False)
    avatar = CheckedImageField(
        upload_to=GeneratedName("site"), blank=True, validators=[validate_image_size]
    )
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
    welcome_email_enabled = models.BooleanField(
        "send a welcome email",
        default=True,
        help_text="Once per subscriber, when they confirm. The latest issue is linked in it.",
    )
    welcome_email = MarkdownxField(
        "welcome email", blank=True, default=WELCOME_EMAIL, help_text="Markdown."
    )
    welcome_email_html = models.TextField(blank=True, editable=False)
    digest_template = models.TextField(
        "next issue template",
        default=DIGEST_TEMPLATE,
        blank=True,
        help_text=escape(
            "Markdown for “Draft the next issue”, with Django template tags over posts, "
            "releases and links (each has title, url, summary, date). Left blank: the "
            "default one."
        ),
    )
    digest_weekday = models.CharField(
        "draft the next issue automatically on",
        max_length=1,
        choices=WEEKDAYS,
        blank=True,
        help_text="Left blank: only when you ask. The draft is emailed to you for review.",
    )
    digest_time = models.TimeField("at", default=DIGEST_TIME, help_text="In the site's time zone.")
    digest_auto_send = models.BooleanField(
        "send the automatic draft without review",
        default=False,
        help_text="Ticked: the scheduled draft is published and sent at once.",
    )
    # The next scheduled draft's time (newsletter.digest_schedule): one task per time.
    digest_next_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_new_posts = models.BooleanField(
        "email new posts",
        default=True,
        help_text="Each post published from now on goes to the followers of “Every new post”.",
    )
    post_email_full_text = models.BooleanField(
        "posts by email in full",
        default=True,
        help_text="Unticked: the excerpt and a “Continue reading” link.",
    )
    ai_crawlers_refused = models.JSONField(
        "AI training crawlers refused",
        default=list,
        blank=True,
        help_text="Families whose AI training crawlers robots.txt tells to stay away. Search "
        "engines and readers' link previews are not affected.",
    )
    ai_crawlers_enforce = models.BooleanField(
        "refuse them with 403 too",
        default=False,
        help_text="For crawlers that ignore robots.txt: their requests are answered 403.",
    )
    podcast_title = models.CharField(
        max_length=200,
        blank=True,
        help_text=escape(
            "The podcast's name in podcast apps. Left blank: “<author name> (audio)”."
        ),
    )
    podcast_description = models.TextField(
        blank=True,
        help_text="What the podcast is about (plain text). Left blank: the site description.",
    )
    podcast_artwork = CheckedImageField(
        upload_to=GeneratedName("podcast"),
        blank=True,
        validators=[validate_podcast_artwork],
        help_text="Square JPEG or PNG, 1400 by 1400 to 3000 by 3000 pixels. Apple Podcasts "
        "requires it.",
    )
    podcast_category = models.CharField(
        max_length=100,
        choices=CATEGORY_CHOICES,
        blank=True,
        default="Technology",
        help_text="Apple Podcasts category. Left blank: Technology.",
    )
    podcast_explicit = models.BooleanField(
        "explicit content",
        default=False,
        help_text="Tick if episodes contain explicit language or adult content.",
    )
    podcast_language = models.CharField(
        max_length=20,
        blank=True,
        help_text="Language code of the episodes, e.g. en-us. Left blank: the site's language.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    @classmethod
    def get_solo(cls):
        """django-solo's get_solo(), with the read compiled once: every page reads this row."""
        found = _SITE_SETTINGS_ROW.objects(cls)
        return found[0] if found else super().get_solo()

    def save(self, *args, **kwargs):
        self.bio_html = render_markdown(self.bio)
        self.welcome_email_html = render_markdown(self.welcome_email)
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


# Saves 4 % of the home page's instructions (callgrind), 3 % of a search page's.
_SITE_SETTINGS_ROW = PreparedQuery(
    lambda: SiteSettings.objects.filter(pk=SiteSettings.singleton_instance_id)
)


class ContentChange(models.Model):
    """When reader-visible content was last deleted (one row).

    A deletion leaves no newer timestamp behind, so without this mark `Last-Modified`
    would not move when a post is removed. See core.versioning.
    """

    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "content change"

    def __str__(self):
        return f"Content changed at {self.changed_at:%Y-%m-%d %H:%M:%S}"
