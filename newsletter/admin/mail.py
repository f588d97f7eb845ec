"""The admin for what the mail system sent back: mail events (bounces, complaints,
unsubscribes by email, auto-replies, matched to a subscriber or not) and the messages
that could not be used ("Unrecognised mail", kept with their raw text). Both are records,
read-only: nothing is added or edited here, only looked at and deleted."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Length, Substr
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from newsletter.models import MailEvent, UnrecognisedMail

# The change page shows this much of a raw message; the download has all that was kept.
SHOWN_BYTES = 200 * 1024


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """Records the site keeps: viewable and deletable, never added or edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MatchedFilter(admin.SimpleListFilter):
    title = "subscriber"
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return [("yes", "Matched"), ("no", "Not matched")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(subscriber__isnull=self.value() == "no")
        return queryset


@admin.register(MailEvent)
class MailEventAdmin(ReadOnlyRecordAdmin):
    list_display = ["kind", "recipient", "subscriber_link", "source", "outcome", "occurred_at"]
    list_filter = ["kind", "source", MatchedFilter, "occurred_at"]
    list_select_related = ["subscriber"]
    search_fields = ["recipient", "diagnostic", "outcome"]
    date_hierarchy = "occurred_at"
    fields = [
        "kind",
        "occurred_at",
        "recorded_at",
        "recipient",
        "subscriber",
        "delivery",
        "diagnostic",
        "source",
        "outcome",
        "event_key",
    ]

    @admin.display(description="subscriber", ordering="subscriber__email")
    def subscriber_link(self, obj):
        if obj.subscriber_id is None:
            return "not matched"
        url = reverse("admin:newsletter_subscriber_change", args=[obj.subscriber_id])
        return format_html('<a href="{}">{}</a>', url, obj.subscriber.email)


@admin.register(UnrecognisedMail)
class UnrecognisedMailAdmin(ReadOnlyRecordAdmin):
    # Subject and sender share a cell, the reason is cut short and the source is left to
    # the filter: at 1280 px six columns side by side pushed the subject out of sight.
    list_display = ["received_at", "message_shown", "reason_shown", "size_shown"]
    list_filter = ["source", "received_at"]
    search_fields = ["sender", "subject", "reason"]
    date_hierarchy = "received_at"
    fields = [
        "received_at",
        "source",
        "reason",
        "sender",
        "subject",
        "size_shown",
        "download",
        "message",
    ]
    readonly_fields = ["size_shown", "download", "message"]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        # A kept message can be megabytes: lists and pages load only what they show.
        return super().get_queryset(request).defer("raw")

    @admin.display(description="size", ordering="size")
    def size_shown(self, obj):
        return filesizeformat(obj.size)

    @admin.display(description="message", ordering="subject")
    def message_shown(self, obj):
        return format_html(
            "{}<br><small>from {}</small>",
            Truncator(obj.subject or "(no subject)").chars(90),
            Truncator(obj.sender or "nobody").chars(70),
        )

    @admin.display(description="why it was kept", ordering="reason")
    def reason_shown(self, obj):
        return Truncator(obj.reason).chars(90)

    @admin.display(description="raw message")
    def download(self, obj):
        url = reverse("admin:newsletter_unrecognisedmail_raw", args=[obj.pk])
        return format_html('<a href="{}" download>Download the message (.eml)</a>', url)

    @admin.display(description="message as received")
    def message(self, obj):
        head, kept = (
            UnrecognisedMail.objects.filter(pk=obj.pk)
            .annotate(head=Substr("raw", 1, SHOWN_BYTES), kept=Length("raw"))
            .values_list("head", "kept")
            .get()
        )
        text = bytes(head or b"").decode("utf-8", errors="backslashreplace")
        notes = []
        if kept > SHOWN_BYTES:
            notes.append(f"The first {filesizeformat(SHOWN_BYTES)} of {filesizeformat(kept)}.")
        if obj.size > kept:
            notes.append(
                f"The message was {filesizeformat(obj.size)}; only the first "
                f"{filesizeformat(kept)} were kept."
            )
        note = format_html('<p class="help">{}</p>', " ".join(notes)) if notes else ""
        return format_html('{}<pre class="raw-mail">{}</pre>', note, text)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/raw/", view(self.raw_view), name="newsletter_unrecognisedmail_raw"),
            *super().get_urls(),
        ]

    def raw_view(self, request, pk):
        """The kept bytes as a file to save, never rendered by the browser."""
        mail = get_object_or_404(UnrecognisedMail, pk=pk)
        if not self.has_view_permission(request, mail):
            raise PermissionDenied
        response = HttpResponse(bytes(mail.raw), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="unrecognised-{mail.pk}.eml"'
        return response
