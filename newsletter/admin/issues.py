"""The admin for issues: the list with each issue's sending progress, the issue's page
with its report once sent (newsletter.inbound.report: delivered, bounced, complained,
unsubscribed), and the "Sending and progress" page where the author sends a test, sends
to subscribers now or at a set time, and follows the deliveries."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from core.admin import PublishableAdminMixin, StateFilter
from newsletter import digest, email_previews, sending, topics
from newsletter.forms import SendIssueForm
from newsletter.inbound.report import issue_report
from newsletter.models import Delivery, Issue, Subscriber


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


# An email's HTML, shown in the preview's frame: its inline styles and images (mail clients
# allow them), no script, and only this site may frame it.
email_part_csp = csp_override(
    {
        "default-src": [CSP.NONE],
        "style-src": [CSP.UNSAFE_INLINE],
        "img-src": ["*", "data:"],
        "frame-ancestors": [CSP.SELF],
        "sandbox": [""],
    }
)


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
    list_display = ["issue_label", "title", "topic", "state", "published", "email"]
    list_display_links = ["issue_label", "title"]
    list_filter = [StateFilter, "kind", "topic", "on_web", "published_at"]
    list_select_related = ["topic"]
    search_fields = ["title", "subtitle", "body"]
    fields = [
        "number",
        "title",
        "subtitle",
        "body",
        "topic",
        "on_web",
        "by_email",
        "status",
        "published_at",
    ]
    actions = ["publish_now", "make_draft", "send_test", "send_to_subscribers"]
    change_form_template = "admin/newsletter/issue/change_form.html"
    change_list_template = "admin/newsletter/issue/change_list.html"

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("number", Issue.next_number())
        initial.setdefault("topic", topics.newsletter_topic())
        return initial

    def get_changelist(self, request, **kwargs):
        return IssueChangeList

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        if obj.kind != Issue.Kind.NEWSLETTER:  # made from a post or release: no number
            return ["kind", *self.fields[1:], "email_status"]
        return [*self.fields, "email_status"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["kind", "email_status"] if obj.kind != Issue.Kind.NEWSLETTER else ["email_status"]

    @admin.display(description="issue", ordering="number")
    def issue_label(self, obj):
        return obj.label

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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.sending_started_at:
            context["mail_report"] = issue_report(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

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
            path(
                "email-preview/<slug:kind>/<int:pk>/",
                view(self.email_preview_view),
                name="newsletter_email_preview",
            ),
            path(
                "email-preview/<slug:kind>/<int:pk>/<slug:part>/",
                view(xframe_options_sameorigin(email_part_csp(self.email_part_view))),
                name="newsletter_email_part",
            ),
            path(
                "draft-next/",
                view(require_POST(self.draft_next_view)),
                name="newsletter_draft_next",
            ),
            *super().get_urls(),
        ]

    def _preview_or_404(self, request, kind, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        message = email_previews.build(kind, pk, request.user.email or "reader@example.com")
        if message is None:
            raise Http404("No such kind of email.")
        return message

    def email_preview_view(self, request, kind, pk):
        """The email as a subscriber gets it: headers, the HTML (light or dark) in a frame,
        and the plain text."""
        message = self._preview_or_404(request, kind, pk)
        scheme = "dark" if request.GET.get("scheme") == "dark" else "light"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Email preview: {message.subject}",
            "message": message,
            "headers": {
                "From": message.from_email,
                "To": ", ".join(message.to),
                "Subject": message.subject,
                **message.extra_headers,
            },
            "text": email_previews.parts(message)["text"],
            "scheme": scheme,
            "frame_part": "dark" if scheme == "dark" else "html",
            "kind": kind,
            "pk": pk,
        }
        return TemplateResponse(request, "admin/newsletter/email_preview.html", context)

    def email_part_view(self, request, kind, pk, part):
        message = self._preview_or_404(request, kind, pk)
        found = email_previews.parts(message)
        if part == "dark":
            return HttpResponse(email_previews.forced_dark(found["html"]))
        if part == "text":
            return HttpResponse(found["text"], content_type="text/plain; charset=utf-8")
        return HttpResponse(found["html"])

    def draft_next_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            issue = digest.draft_next_issue()
        except (digest.NothingNew, digest.TemplateError) as error:
            self.message_user(request, str(error), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:newsletter_issue_changelist"))
        self.message_user(request, f"Issue #{issue.number} is a draft: {issue.subtitle}.")
        return HttpResponseRedirect(reverse("admin:newsletter_issue_change", args=[issue.pk]))

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
        self.message_user(request, f"Sent a test of {issue.label} to {address}.")
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
        self.message_user(request, f"{issue.label} is no longer scheduled.")
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
                        request, f"{issue.label} will be sent at {when:%Y-%m-%d %H:%M}."
                    )
                else:
                    count = sending.start_sending(issue)
                    self.message_user(request, f"Sending {issue.label} to {count:,} subscribers.")
            except sending.SendingError as error:
                self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:newsletter_issue_send", args=[pk]))
        issue.refresh_from_db()
        counts = issue.delivery_counts()
        in_progress = counts["queued"] + counts["sending"] > 0
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Send {issue.label}",
            "issue": issue,
            "form": form,
            "counts": counts,
            "progress": progress_text(counts),
            "in_progress": in_progress,
            "active_count": Subscriber.objects.active().filter(topics=issue.topic_id).count(),
            "failures": issue.deliveries.filter(status=Delivery.Status.FAILED)
            .select_related("subscriber")
            .order_by("-pk")[:50],
            "user_email": request.user.email,
            "account_form_url": account_form_url(request.user),
            "deliveries_url": reverse("admin:newsletter_delivery_changelist")
            + f"?issue__id__exact={issue.pk}",
        }
        return TemplateResponse(request, "admin/newsletter/issue/send.html", context)
