from django.contrib import admin
from django.db.models import Count

from blog.models import Category, Post, PostUpdate, Series
from core.admin import MarkdownAdminMixin, PublishableAdminMixin, StateFilter


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "post_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("posts"))

    @admin.display(description="posts", ordering="post_count")
    def post_count(self, obj):
        return obj.post_count


@admin.register(Series)
class SeriesAdmin(MarkdownAdminMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "post_count"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("posts"))

    @admin.display(description="posts", ordering="post_count")
    def post_count(self, obj):
        return obj.post_count


class PostUpdateInline(MarkdownAdminMixin, admin.StackedInline):
    """Dated notes shown at the top of a published post; they bump its feed `updated` date
    but never its publication date."""

    model = PostUpdate
    fields = ["date", "note"]
    extra = 0
    verbose_name_plural = "update notes (shown at the top of the post, newest first)"


@admin.register(Post)
class PostAdmin(PublishableAdminMixin, admin.ModelAdmin):
    list_display = ["title", "state", "published", "featured", "has_audio", "category_list"]
    list_filter = [StateFilter, "featured", "categories", "series", "published_at"]
    search_fields = ["title", "excerpt", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["categories"]
    autocomplete_fields = ["series"]
    inlines = [PostUpdateInline]
    readonly_fields = ["audio_details", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "excerpt", "categories"]}),
        ("Publishing", {"fields": ["status", "published_at", "featured"]}),
        ("Series", {"fields": ["series", "series_part"], "classes": ["collapse"]}),
        ("Media", {"fields": ["cover_image", "cover_alt", "audio", "audio_details"]}),
        ("Search engines", {"fields": ["meta_description"], "classes": ["collapse"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description="audio", boolean=True)
    def has_audio(self, obj):
        return bool(obj.audio)

    @admin.display(description="categories")
    def category_list(self, obj):
        return ", ".join(c.name for c in obj.categories.all())

    @admin.display(description="audio details")
    def audio_details(self, obj):
        if not obj.audio:
            return "No audio version."
        return f"{obj.audio_mime_type}, {obj.audio_duration_display}, {obj.audio_size:,} bytes"
