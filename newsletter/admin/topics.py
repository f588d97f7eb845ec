"""The admin for topics (what subscribers choose to receive) and the links the author saves
for the next issue. Removing a topic says first how many subscribers stop receiving it and
how many of them it leaves with nothing (they are unsubscribed: newsletter.topics)."""

from django.contrib import admin, messages
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

from newsletter import topics
from newsletter.models import DigestItem, SavedLink, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "offered_at_signup", "followers", "position"]
    list_editable = ["offered_at_signup", "position"]
    list_filter = ["kind", "offered_at_signup"]
    search_fields = ["name", "key"]
    fields = ["name", "description", "key", "kind", "offered_at_signup", "position"]
    delete_confirmation_template = "admin/newsletter/topic/delete_confirmation.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        self._counts = topics.active_counts()
        return queryset

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"key": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        # Links in sent emails name the topic: its key and kind stay as they are.
        return ["key", "kind"] if obj else []

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, after seeing what it does
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.kind == Topic.Kind.NEWSLETTER:
            return False  # the newsletter itself stays
        return super().has_delete_permission(request, obj)

    @admin.display(description="active followers")
    def followers(self, obj):
        return getattr(self, "_counts", {}).get(obj.pk, 0)

    def render_delete_form(self, request, context):
        context["impact"] = topics.removal_impact(context["object"])
        return super().render_delete_form(request, context)

    def delete_model(self, request, obj):
        impact = topics.remove_topic(obj)
        self.message_user(
            request,
            f"{impact.followers:,} subscriber(s) no longer receive “{obj.name}”; "
            f"{impact.left_with_nothing:,} had nothing else and are unsubscribed.",
            messages.WARNING if impact.left_with_nothing else messages.INFO,
        )


@admin.register(SavedLink)
class SavedLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "url", "saved_at", "carried"]
    search_fields = ["title", "url", "note"]
    fields = ["title", "url", "note", "saved_at"]

    @admin.display(description="in an issue", boolean=True)
    def carried(self, obj):
        return obj.carried

    def get_queryset(self, request):
        key = Concat(Value("link:"), Cast(OuterRef("pk"), CharField()))
        carried = Exists(DigestItem.objects.filter(key=key))
        return super().get_queryset(request).annotate(carried=carried)
