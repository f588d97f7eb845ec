"""The admin for subscribers: the list and its confirmation column, CSV import and
export, unsubscribing, confirmation emails sent again, suppression (why, and lifting it;
see newsletter.admin.suppression), and erasure on request."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from newsletter import csv_io, subscriptions, tokens
from newsletter.admin.suppression import (
    SuppressedFilter,
    lift_message,
    lift_suppression,
    mail_events_table,
    suppression_text,
)
from newsletter.forms import SubscriberImportForm
from newsletter.models import Subscriber, Topic, cancel_queued_deliveries
from newsletter.tasks import send_confirmations


class SubscriberAdminMixin:
    """Erasure on request: deleting subscribers also removes their deliveries (cascade)
    and the admin history entries that name their address."""

    def log_deletions(self, request, queryset):
        objects = list(queryset)
        content_type = ContentType.objects.get_for_model(Subscriber)
        LogEntry.objects.filter(
            content_type=content_type, object_id__in=[str(obj.pk) for obj in objects]
        ).delete()
        return LogEntry.objects.bulk_create(
            LogEntry(
                user_id=request.user.pk,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=f"Subscriber #{obj.pk} (erased)",
                action_flag=DELETION,
                change_message="Erased: address, name and delivery records deleted.",
            )
            for obj in objects
        )


class ConfirmationFilter(admin.SimpleListFilter):
    title = "confirmation email"
    parameter_name = "confirmation"

    def lookups(self, request, model_admin):
        return [("failed", "Not delivered"), ("retrying", "Being retried")]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(confirmation_failed_at__isnull=False)
        if self.value() == "retrying":
            return queryset.filter(confirmation_failed_at__isnull=True).exclude(
                confirmation_error=""
            )
        return queryset


@admin.register(Subscriber)
class SubscriberAdmin(SubscriberAdminMixin, admin.ModelAdmin):
    # Six columns: at 1280 px, beside the sidebar and the filters, eight pushed the
    # suppression reason and the dates out of sight.
    list_display = ["email", "name", "status_shown", "confirmation", "source", "joined"]
    list_filter = ["status", "topics", SuppressedFilter, ConfirmationFilter, "source", "created_at"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["email", "name"]
    search_help_text = "Address or name; an unsubscribe link or its token finds its owner."
    date_hierarchy = "created_at"
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    fields = [
        "email",
        "name",
        "status",
        "topics",
        "pending_topics_shown",
        "source",
        "created_at",
        "confirmation_sent_at",
        "confirmation",
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_at",
        "suppression_reason",
        "updated_at",
    ]
    readonly_fields = [
        "created_at",
        "updated_at",
        "confirmation_sent_at",
        "confirmation",
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_at",
        "suppression_reason",
        "mail_events",
        "pending_topics_shown",
    ]
    actions = [
        "export_csv",
        "unsubscribe_selected",
        "resend_confirmation",
        "lift_suppression",
        "erase",
    ]
    change_list_template = "admin/newsletter/subscriber/change_list.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description="asked for, not confirmed yet")
    def pending_topics_shown(self, obj):
        names = Topic.objects.filter(key__in=obj.pending_topics).values_list("name", flat=True)
        return ", ".join(names) or "–"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        subscriber = form.instance
        if subscriber.status == Subscriber.Status.ACTIVE and not subscriber.topics.exists():
            subscriber.unsubscribe()  # active with nothing to receive is not a state
            self.message_user(
                request,
                f"{subscriber.email} follows no topic any more, so it is unsubscribed.",
                messages.WARNING,
            )

    @admin.display(description="confirmation email")
    def confirmation(self, obj):
        """The last confirmation email's fate, with the mail server's reason if it failed."""
        if obj.confirmation_failed_at:
            when = timezone.localtime(obj.confirmation_failed_at)
            return format_html(
                '<ul class="errorlist confirmation-failed"><li>Not delivered ({}): {}</li></ul>',
                f"{when:%Y-%m-%d %H:%M}",
                obj.confirmation_error,
            )
        if obj.confirmation_error:
            return format_html(
                '<ul class="errorlist confirmation-retrying"><li>Not delivered yet: {}</li></ul>',
                obj.confirmation_error,
            )
        if obj.status == Subscriber.Status.PENDING and obj.confirmation_sent_at:
            return f"Sent {timezone.localtime(obj.confirmation_sent_at):%Y-%m-%d %H:%M}"
        return "–"

    @admin.display(description="status", ordering="status")
    def status_shown(self, obj):
        """The status, and below it why the address gets no email, if it is suppressed."""
        if obj.suppressed_at is None:
            return obj.get_status_display()
        return format_html(
            '{}<br><small class="suppressed">Suppressed {}</small>',
            obj.get_status_display(),
            suppression_text(obj).removeprefix("Since").strip(),
        )

    @admin.display(description="joined", ordering="created_at")
    def joined(self, obj):
        created = f"{timezone.localtime(obj.created_at):%Y-%m-%d}"
        if obj.confirmed_at is None:
            return created
        return format_html(
            "{}<br><small>confirmed {}</small>",
            created,
            f"{timezone.localtime(obj.confirmed_at):%Y-%m-%d}",
        )

    @admin.display(description="mail events")
    def mail_events(self, obj):
        return mail_events_table(obj)

    def get_fields(self, request, obj=None):
        return [*self.fields, "mail_events"] if obj else self.fields

    def get_search_results(self, request, queryset, search_term):
        token = search_term.strip().rstrip("/").rsplit("/", 1)[-1].removeprefix("unsubscribe ")
        if ":" in token:
            subscriber = tokens.subscriber_for_unsubscribe_token(token.strip())
            if subscriber:
                return queryset.filter(pk=subscriber.pk), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        previous, previous_email = Subscriber.objects.filter(pk=obj.pk).values_list(
            "status", "email"
        ).first() or (None, None)
        status_changed = previous != obj.status
        if status_changed and obj.status == Subscriber.Status.ACTIVE and not obj.confirmed_at:
            obj.confirmed_at = timezone.now()
        if status_changed and obj.status == Subscriber.Status.UNSUBSCRIBED:
            obj.unsubscribed_at = timezone.now()
        super().save_model(request, obj, form, change)
        if status_changed and obj.status == Subscriber.Status.PENDING:
            if previous:  # back to pending: a fresh confirmation link
                obj.make_pending()
            subscriptions.request_confirmation(obj)
            self.message_user(request, f"A confirmation email is on its way to {obj.email}.")
        elif obj.status == Subscriber.Status.PENDING and previous_email != obj.email:
            # A corrected address (often after a refused confirmation): confirm the new one,
            # with a fresh link, at once.
            obj.make_pending()
            subscriptions.request_confirmation(obj)
            self.message_user(
                request, f"The address changed: a confirmation email is on its way to {obj.email}."
            )
        if status_changed and obj.status != Subscriber.Status.ACTIVE:
            cancel_queued_deliveries(Subscriber.objects.filter(pk=obj.pk))

    def changelist_view(self, request, extra_context=None):
        rows = Subscriber.objects.values_list("status").annotate(n=Count("pk")).order_by()
        by_status = dict(rows)
        summary = [(label, by_status.get(value, 0)) for value, label in Subscriber.Status.choices]
        extra_context = {**(extra_context or {}), "status_summary": summary}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="newsletter_subscriber_import"),
            path("export/", view(self.export_view), name="newsletter_subscriber_export"),
            *super().get_urls(),
        ]

    def _csv_response(self, queryset):
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response = StreamingHttpResponse(
            csv_io.export_rows(queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._csv_response(Subscriber.objects.all())

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SubscriberImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = csv_io.import_subscribers(
                    form.cleaned_data["file"].read(), consented=form.cleaned_data["consented"]
                )
            except csv_io.CSVFileError as error:
                form.add_error("file", str(error))
            else:
                if report.confirmation_ids:
                    send_confirmations(report.confirmation_ids)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import subscribers from CSV",
            "form": form,
            "report": report,
            "shown": 500,
        }
        return TemplateResponse(request, "admin/newsletter/subscriber/import.html", context)

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return self._csv_response(queryset)

    @admin.action(description="Unsubscribe selected", permissions=["change"])
    def unsubscribe_selected(self, request, queryset):
        now = timezone.now()
        count = queryset.exclude(status=Subscriber.Status.UNSUBSCRIBED).update(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=now, updated_at=now
        )
        cancel_queued_deliveries(queryset)
        self.message_user(request, f"Unsubscribed {count} subscriber(s).")

    @admin.action(description="Send the confirmation email again", permissions=["change"])
    def resend_confirmation(self, request, queryset):
        pending = list(queryset.filter(status=Subscriber.Status.PENDING))
        sent = sum(subscriptions.request_confirmation(subscriber) for subscriber in pending)
        skipped = len(pending) - sent
        note = f" ({skipped} already had one in the last few minutes)" if skipped else ""
        self.message_user(
            request,
            f"Sending {sent} confirmation email(s){note}. If the mail server refuses one, "
            "its reason shows in the “confirmation email” column.",
        )

    @admin.action(description="Lift suppression", permissions=["change"])
    def lift_suppression(self, request, queryset):
        self.message_user(request, lift_message(lift_suppression(queryset, request.user.pk)))

    @admin.action(description="Erase the selected subscribers (on request)", permissions=["delete"])
    def erase(self, request, queryset):
        return delete_selected(self, request, queryset)
