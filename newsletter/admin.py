from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from core.admin import PublishableAdminMixin, StateFilter
from newsletter import csv_io, sending, subscriptions, tokens
from newsletter.forms import SendIssueForm, SubscriberImportForm
from newsletter.models import Delivery, Issue, Subscriber, cancel_queued_deliveries
from newsletter.tasks import deliver_issue, send_confirmations


def account_form_url(user) -> str | None:
    """The admin form where `user` can set their email address (None: not allowed to)."""
    opts = user._meta
    if not user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
        return None
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[user.pk])


def no_email_message(user) -> str:
    url = account_form_url(user)
    if url is None:
        return "Your account has no email address: ask an administrator to add one."
    return format_html(
        'Your account has no email address: <a href="{}">add one to your account</a> '
        "to receive tests.",
        url,
    )


def progress_text(counts: dict[str, int] | None) -> str:
    if not counts or not counts["total"]:
        return ""
    waiting = counts["queued"] + counts["sending"]
    parts = [f"{counts['sent']:,} of {counts['total']:,} sent"]
    if counts["failed"]:
        parts.append(f"{counts['failed']:,} failed")
    if counts["skipped"]:
        parts.append(f"{counts['skipped']:,} skipped")
    if waiting:
        parts.append(f"{waiting:,} queued")
    return ", ".join(parts)


class IssueChangeList(ChangeList):
    """Adds each listed issue's delivery counts, in one query for the whole page."""

    def get_results(self, request):
        super().get_results(request)
        ids = [issue.pk for issue in self.result_list]
        rows = (
            Delivery.objects.filter(issue_id__in=ids)
            .values_list("issue_id", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {pk: dict.fromkeys(Delivery.Status.values, 0) for pk in ids}
        for issue_id, status, n in rows:
            counts[issue_id][status] = n
        for issue in self.result_list:
            c = counts[issue.pk]
            c["total"] = sum(c[s] for s in Delivery.Status.values)
            issue.counts = c


@admin.register(Issue)
class IssueAdmin(PublishableAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "subtitle", "state", "published", "email"]
    list_display_links = ["number", "title"]
    list_filter = [StateFilter, "published_at"]
    search_fields = ["title", "subtitle", "body"]
    fields = ["number", "title", "subtitle", "body", "status", "published_at"]
    actions = ["publish_now", "make_draft", "send_test", "send_to_subscribers"]
    change_form_template = "admin/newsletter/issue/change_form.html"

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        last = Issue.objects.order_by("-number").values_list("number", flat=True).first()
        initial.setdefault("number", (last or 0) + 1)
        return initial

    def get_changelist(self, request, **kwargs):
        return IssueChangeList

    def get_fields(self, request, obj=None):
        return [*self.fields, "email_status"] if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        return ["email_status"] if obj else []

    @admin.display(description="email")
    def email(self, obj):
        counts = getattr(obj, "counts", None)
        if counts and counts["total"]:
            return progress_text(counts)
        if obj.send_at:
            return f"Scheduled for {timezone.localtime(obj.send_at):%Y-%m-%d %H:%M}"
        if obj.sending_started_at:
            return "Sent (no active subscribers then)"
        return "Not sent"

    @admin.display(description="email")
    def email_status(self, obj):
        counts = obj.delivery_counts()
        text = progress_text(counts) or self.email(obj)
        return format_html(
            '{} · <a href="{}">Sending and progress</a>',
            text,
            reverse("admin:newsletter_issue_send", args=[obj.pk]),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/send/", view(self.send_view), name="newsletter_issue_send"),
            path(
                "<int:pk>/send-test/",
                view(require_POST(self.send_test_view)),
                name="newsletter_issue_send_test",
            ),
            path(
                "<int:pk>/cancel-schedule/",
                view(require_POST(self.cancel_schedule_view)),
                name="newsletter_issue_cancel_schedule",
            ),
            *super().get_urls(),
        ]

    def _issue_or_403(self, request, pk) -> Issue:
        issue = get_object_or_404(Issue, pk=pk)
        if not self.has_change_permission(request, issue):
            raise PermissionDenied
        return issue

    def _send_test(self, request, issue) -> bool:
        address = request.user.email
        if not address:
            self.message_user(request, no_email_message(request.user), messages.ERROR)
            return False
        try:
            sending.send_test(issue, address)
        except Exception as error:  # the mail server's answer is what the author needs
            self.message_user(request, f"The test could not be sent: {error}", messages.ERROR)
            return False
        self.message_user(request, f"Sent a test of Issue #{issue.number} to {address}.")
        return True

    @admin.action(description="Send a test of the selected issues to me", permissions=["change"])
    def send_test(self, request, queryset):
        for issue in queryset.order_by("number")[:5]:
            if not self._send_test(request, issue):
                break

    @admin.action(description="Send to subscribers…", permissions=["change"])
    def send_to_subscribers(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one issue to send.", messages.WARNING)
            return None
        return HttpResponseRedirect(
            reverse("admin:newsletter_issue_send", args=[queryset.get().pk])
        )

    def send_test_view(self, request, pk):
        issue = self._issue_or_403(request, pk)
        self._send_test(request, issue)
        return HttpResponseRedirect(reverse("admin:newsletter_issue_send", args=[pk]))

    def cancel_schedule_view(self, request, pk):
        issue = self._issue_or_403(request, pk)
        sending.cancel_schedule(issue)
        self.message_user(request, f"Issue #{issue.number} is no longer scheduled.")
        return HttpResponseRedirect(reverse("admin:newsletter_issue_send", args=[pk]))

    def send_view(self, request, pk):
        """Confirm and start (or schedule) the sending; afterwards, its progress."""
        issue = self._issue_or_403(request, pk)
        form = SendIssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                if form.cleaned_data["when"] == "later":
                    sending.schedule_send(issue, form.cleaned_data["send_at"])
                    when = timezone.localtime(issue.send_at)
                    self.message_user(
                        request, f"Issue #{issue.number} will be sent at {when:%Y-%m-%d %H:%M}."
                    )
                else:
                    count = sending.start_sending(issue)
                    self.message_user(
                        request, f"Sending Issue #{issue.number} to {count:,} subscribers."
                    )
            except sending.SendingError as error:
                self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:newsletter_issue_send", args=[pk]))
        issue.refresh_from_db()
        counts = issue.delivery_counts()
        in_progress = counts["queued"] + counts["sending"] > 0
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Send Issue #{issue.number}",
            "issue": issue,
            "form": form,
            "counts": counts,
            "progress": progress_text(counts),
            "in_progress": in_progress,
            "active_count": Subscriber.objects.active().count(),
            "failures": issue.deliveries.filter(status=Delivery.Status.FAILED)
            .select_related("subscriber")
            .order_by("-pk")[:50],
            "user_email": request.user.email,
            "account_form_url": account_form_url(request.user),
            "deliveries_url": reverse("admin:newsletter_delivery_changelist")
            + f"?issue__id__exact={issue.pk}",
        }
        return TemplateResponse(request, "admin/newsletter/issue/send.html", context)


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
    list_display = [
        "email",
        "name",
        "status",
        "confirmation",
        "source",
        "created_at",
        "confirmed_at",
    ]
    list_filter = ["status", ConfirmationFilter, "source", "created_at"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["email", "name"]
    search_help_text = "Address or name; an unsubscribe link or its token finds its owner."
    date_hierarchy = "created_at"
    fields = [
        "email",
        "name",
        "status",
        "source",
        "created_at",
        "confirmation_sent_at",
        "confirmation",
        "confirmed_at",
        "unsubscribed_at",
        "updated_at",
    ]
    readonly_fields = [
        "created_at",
        "updated_at",
        "confirmation_sent_at",
        "confirmation",
        "confirmed_at",
        "unsubscribed_at",
    ]
    actions = ["export_csv", "unsubscribe_selected", "resend_confirmation", "erase"]
    change_list_template = "admin/newsletter/subscriber/change_list.html"

    class Media:
        css = {"all": ["css/admin.css"]}

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

    @admin.action(description="Erase the selected subscribers (on request)", permissions=["delete"])
    def erase(self, request, queryset):
        return delete_selected(self, request, queryset)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: what happened to each email, with the server's reason for failures."""

    list_display = ["issue", "subscriber", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "issue"]
    list_select_related = ["issue", "subscriber"]
    search_fields = ["subscriber__email"]
    actions = ["retry"]
    readonly_fields = [
        "issue",
        "subscriber",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_by",
        "claimed_at",
        "sent_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry the selected failed deliveries", permissions=["change"])
    def retry(self, request, queryset):
        failed = queryset.filter(
            status=Delivery.Status.FAILED, subscriber__status=Subscriber.Status.ACTIVE
        )
        issue_ids = set(failed.values_list("issue_id", flat=True))
        count = Delivery.objects.filter(pk__in=failed.values("pk")).update(
            status=Delivery.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        for issue_id in issue_ids:
            deliver_issue.enqueue(issue_id)
        self.message_user(request, f"{count} deliveries queued again.")
