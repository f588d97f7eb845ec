"""The admin for deliveries: one row per issue and subscriber, read-only, and a way to
queue failed ones again."""

from django.contrib import admin
from django.utils import timezone

from newsletter.models import Delivery, Subscriber
from newsletter.tasks import deliver_issue


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
