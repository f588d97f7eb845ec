"""What the newsletter adds to the admin dashboard (registered in NewsletterConfig.ready)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from core import dashboard
from newsletter.models import Delivery, Issue, Subscriber

PANEL_TEMPLATE = "admin/newsletter/dashboard_panel.html"


def scheduled_sends(limit: int) -> list[dashboard.Item]:
    """Issues whose email to subscribers is scheduled (Send to subscribers… → later)."""
    issues = Issue.objects.filter(send_at__isnull=False, sending_started_at__isnull=True)
    return [
        dashboard.Item(
            kind="Newsletter email" if issue.kind == Issue.Kind.NEWSLETTER else "Email",
            title=str(issue),
            when=issue.send_at,
            change_url=reverse("admin:newsletter_issue_send", args=[issue.pk]),
            note="sent to subscribers",
        )
        for issue in issues.order_by("send_at")[:limit]
    ]


def last_issue_figures():
    """The issue most recently sent to subscribers, with its delivery counts (one query)."""
    counts = {
        status: Count("deliveries", filter=Q(deliveries__status=status))
        for status in Delivery.Status.values
    }
    return (
        Issue.objects.filter(sending_started_at__isnull=False)
        .annotate(**counts)
        .order_by("-sending_started_at")
        .first()
    )


def panel_context(request) -> dict:
    changelist = reverse("admin:newsletter_subscriber_changelist")
    rows = list(
        Subscriber.objects.values_list("status")
        .annotate(
            n=Count("pk"),
            refused=Count("pk", filter=Q(confirmation_failed_at__isnull=False)),
            suppressed=Count("pk", filter=Q(suppressed_at__isnull=False)),
        )
        .order_by()
    )
    by_status = {status: n for status, n, _, _ in rows}
    refused = sum(r for _, _, r, _ in rows)
    subscribers = [
        (label, by_status.get(value, 0), f"{changelist}?status__exact={value}")
        for value, label in Subscriber.Status.choices
    ]
    issue = last_issue_figures()
    figures = None
    if issue is not None:
        waiting = issue.queued + issue.sending
        figures = {
            "issue": issue,
            "started": timezone.localtime(issue.sending_started_at),
            "total": issue.sent + issue.failed + issue.skipped + waiting,
            "sent": issue.sent,
            "failed": issue.failed,
            "skipped": issue.skipped,
            "waiting": waiting,
            "send_url": reverse("admin:newsletter_issue_send", args=[issue.pk]),
            "failed_url": reverse("admin:newsletter_delivery_changelist")
            + f"?issue__id__exact={issue.pk}&status__exact={Delivery.Status.FAILED}",
        }
    return {
        "subscribers": subscribers,
        "subscriber_total": sum(by_status.values()),
        # Confirmation emails the mail server refused: the author can fix and resend them.
        "refused_confirmations": refused,
        "refused_url": f"{changelist}?confirmation=failed",
        # Addresses that bounced or complained: they get no email until they sign up again.
        "suppressed": sum(n for _, _, _, n in rows),
        "suppressed_url": f"{changelist}?suppressed=yes",
        "last_issue": figures,
    }


def register() -> None:
    # Posts and releases by email are made from the post or release, not written here.
    dashboard.register_writable(Issue, only={"kind": Issue.Kind.NEWSLETTER})
    dashboard.register_scheduled(scheduled_sends, permission="newsletter.view_issue")
    dashboard.register_panel(PANEL_TEMPLATE, panel_context, permission="newsletter.view_subscriber")
