from django.contrib import admin
from django.utils import timezone
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from solo.admin import SingletonModelAdmin

from core.models import SiteSettings, Status


class MarkdownAdminMixin:
    """The Markdown editor with live preview on every Markdown field."""

    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}

    class Media:
        css = {"all": ["css/admin.css"]}


class PublishableAdminMixin(MarkdownAdminMixin):
    """Columns, filters and actions shared by everything with a publication date."""

    date_hierarchy = "published_at"
    actions = ["publish_now", "make_draft"]

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        if obj.status == Status.DRAFT:
            return "Draft"
        return "Scheduled" if obj.is_scheduled else "Published"

    @admin.action(description="Publish selected now")
    def publish_now(self, request, queryset):
        # save() one by one rather than update(): the search index, the content version and
        # the page cache follow saves (signals), and an author selects a handful at most.
        now = timezone.now()
        for item in queryset:
            item.status, item.published_at = Status.PUBLISHED, now
            item.save()
        self.message_user(request, f"Published {len(queryset)} item(s).")

    @admin.action(description="Turn selected back into drafts")
    def make_draft(self, request, queryset):
        for item in queryset:
            item.status = Status.DRAFT
            item.save()
        self.message_user(request, f"{len(queryset)} item(s) are drafts again.")


@admin.register(SiteSettings)
class SiteSettingsAdmin(MarkdownAdminMixin, SingletonModelAdmin):
    fieldsets = [
        ("Author", {"fields": ["author_name", "tagline", "bio", "avatar", "site_description"]}),
        (
            "Social links",
            {
                "fields": [
                    "github_url",
                    "twitter_url",
                    "linkedin_url",
                    "mastodon_url",
                    "bluesky_url",
                    "email",
                ],
                "description": "Links left blank are not shown.",
            },
        ),
        (
            "Newsletter",
            {"fields": ["newsletter_name", "newsletter_pitch", "subscriber_count_threshold"]},
        ),
        (
            "Podcast",
            {
                "fields": [
                    "podcast_title",
                    "podcast_description",
                    "podcast_artwork",
                    "podcast_category",
                    "podcast_explicit",
                    "podcast_language",
                ],
                "description": "The podcast feed (/feed/podcast/) lists every published post "
                "with an audio version. Its owner is the author name and public email above.",
            },
        ),
    ]
