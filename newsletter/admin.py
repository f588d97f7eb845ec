from django.contrib import admin

from core.admin import PublishableAdminMixin
from newsletter.models import Issue, Subscriber


@admin.register(Issue)
class IssueAdmin(PublishableAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "subtitle", "state", "published_at"]
    list_display_links = ["number", "title"]
    list_filter = ["status", "published_at"]
    search_fields = ["title", "subtitle", "body"]
    fields = ["number", "title", "subtitle", "body", "status", "published_at"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        last = Issue.objects.order_by("-number").values_list("number", flat=True).first()
        initial.setdefault("number", (last or 0) + 1)
        return initial


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "status", "source", "created_at"]
    list_filter = ["status", "source", "created_at"]
    search_fields = ["email", "name"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at"]
