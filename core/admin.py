from django import forms
from django.contrib import admin
from django.utils import timezone
from markdownx.models import MarkdownxField
from solo.admin import SingletonModelAdmin

from core import crawlers, previews
from core.editor import DraftEditorMixin, EditorWidget
from core.models import DIGEST_TIME, SiteSettings, Status
from core.revisions import RevisionAdmin

PREVIEW_CHANGE_FORM = "admin/previews/change_form.html"


class MarkdownAdminMixin:
    """The Markdown editor with live preview on every Markdown field."""

    formfield_overrides = {MarkdownxField: {"widget": EditorWidget}}

    class Media:
        css = {"all": ["css/admin.css"]}


class StateFilter(admin.SimpleListFilter):
    """Draft, scheduled (published with a time still ahead) or live: what `state` shows."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("published", "Published")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "draft":
            return queryset.filter(status=Status.DRAFT)
        if self.value() == "scheduled":
            return queryset.filter(status=Status.PUBLISHED, published_at__gt=now)
        if self.value() == "published":
            return queryset.filter(status=Status.PUBLISHED, published_at__lte=now)
        return queryset


class PublishableAdminMixin(MarkdownAdminMixin, DraftEditorMixin, RevisionAdmin):
    """Columns, filters and actions shared by everything with a publication date, draft
    autosave, revisions (RevisionAdmin is a ModelAdmin: an app's `admin.ModelAdmin`
    base after this mixin adds nothing), and the "Preview" and "Copy share link" buttons
    of drafts and scheduled items whose model registered a preview (core.previews)."""

    date_hierarchy = "published_at"
    actions = ["publish_now", "make_draft"]

    def view_on_site(self, obj):
        # A draft's or a scheduled item's public address is a 404: open its preview.
        return previews.view_on_site_url(obj)

    def render_change_form(self, request, context, *args, **kwargs):
        # The preview buttons extend the change form this admin uses (the newsletter's
        # adds "Send by email…"), so an app's own change form template keeps working.
        context["preview_base_template"] = self.change_form_template or "admin/change_form.html"
        response = super().render_change_form(request, context, *args, **kwargs)
        response.template_name = PREVIEW_CHANGE_FORM
        return response

    @admin.display(description="publication date", ordering="published_at")
    def published(self, obj):
        # Compact and on one line, so lists leave their width to the titles.
        return f"{timezone.localtime(obj.published_at):%Y-%m-%d %H:%M}"

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


class SiteSettingsForm(forms.ModelForm):
    ai_crawlers_refused = forms.MultipleChoiceField(
        label="AI training crawlers refused",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=SiteSettings._meta.get_field("ai_crawlers_refused").help_text,
    )

    digest_time = forms.TimeField(
        label="at",
        required=False,
        help_text="In the site's time zone. Left blank: 07:00.",
    )

    class Meta:
        model = SiteSettings
        fields = ["ai_crawlers_refused", "digest_time"]  # the rest: the admin's fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The families of ai-crawler-robots' index (core.crawlers), by operator.
        self.fields["ai_crawlers_refused"].choices = crawlers.training_families()

    def clean_digest_time(self):
        return self.cleaned_data["digest_time"] or DIGEST_TIME


@admin.register(SiteSettings)
class SiteSettingsAdmin(MarkdownAdminMixin, SingletonModelAdmin):
    form = SiteSettingsForm
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
            {
                "fields": [
                    "newsletter_name",
                    "newsletter_pitch",
                    "subscriber_count_threshold",
                    "welcome_email_enabled",
                    "welcome_email",
                ]
            },
        ),
        (
            "Newsletter digest and posts by email",
            {
                "fields": [
                    "digest_template",
                    "digest_weekday",
                    "digest_time",
                    "digest_auto_send",
                    "email_new_posts",
                    "post_email_full_text",
                ]
            },
        ),
        (
            "Crawlers",
            {
                "fields": ["ai_crawlers_refused", "ai_crawlers_enforce"],
                "description": "Search engines are always welcome. Refused crawlers are "
                "named in /robots.txt; every crawler is also rate limited (CRAWLER_RATE_LIMIT).",
            },
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
