from django.contrib import admin

from core.admin import MarkdownAdminMixin, PublishableAdminMixin, StateFilter
from projects.models import Project, Release


class ReleaseInline(admin.TabularInline):
    model = Release
    fields = ["version", "title", "status", "published_at"]
    show_change_link = True
    extra = 0


@admin.register(Project)
class ProjectAdmin(MarkdownAdminMixin, admin.ModelAdmin):
    list_display = ["name", "tagline", "display_order", "active"]
    list_editable = ["display_order", "active"]
    list_filter = ["active"]
    search_fields = ["name", "tagline", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ReleaseInline]


@admin.register(Release)
class ReleaseAdmin(PublishableAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "project", "version", "state", "published"]
    list_filter = [StateFilter, "project", "published_at"]
    search_fields = ["title", "version", "summary", "notes", "project__name"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]
    fields = ["project", "version", "title", "summary", "notes", "status", "published_at"]
