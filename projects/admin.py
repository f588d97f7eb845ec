from django.contrib import admin
from django.utils import timezone

from core.admin import MarkdownAdminMixin, PublishableAdminMixin, StateFilter
from projects.models import Project, Release, ReleaseFeed


class UpstreamFilter(admin.SimpleListFilter):
    title = "upstream"
    parameter_name = "upstream"

    def lookups(self, request, model_admin):
        return [("imported", "Imported"), ("changed", "Changed upstream"),
                ("deleted", "Deleted upstream")]  # fmt: skip

    def queryset(self, request, queryset):
        if self.value() == "imported":
            return queryset.exclude(source="")
        if self.value() == "changed":
            return queryset.filter(upstream_changed_at__isnull=False)
        if self.value() == "deleted":
            return queryset.filter(upstream_deleted_at__isnull=False)
        return queryset


class ReleaseInline(admin.TabularInline):
    model = Release
    fields = ["version", "title", "status", "published_at"]
    show_change_link = True
    extra = 0


class ReleaseFeedInline(admin.TabularInline):
    """How polling each source went: the admin's view of projects.imports.polling."""

    model = ReleaseFeed
    fields = ["source", "checked_at", "next_check_at", "failures", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "polling"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(MarkdownAdminMixin, admin.ModelAdmin):
    list_display = ["name", "tagline", "display_order", "active", "released_at"]
    list_editable = ["display_order", "active"]
    list_filter = ["active"]
    search_fields = ["name", "tagline", "description", "github_repo"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ReleaseFeedInline, ReleaseInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "tagline", "description", "display_order", "active"]}),
        ("Links", {"fields": ["repository_url", "package_url", "docs_url"]}),
        (
            "Release imports",
            {
                "fields": [
                    "github_repo",
                    "webhook_secret",
                    "gitlab_project",
                    "pypi_name",
                    "npm_name",
                    "import_mode",
                    "import_prereleases",
                    "tag_prefix",
                    "release_title",
                ],
                "description": "Releases published there become releases here: by webhook "
                "(GitHub: /hooks/github/, GitLab: /hooks/gitlab/, “release” events) or by "
                "polling every hour. Followers of the project get each one by email once.",
            },
        ),
    ]

    @admin.display(description="imports")
    def released_at(self, obj):
        sources = [
            n for n in (obj.github_repo, obj.gitlab_project, obj.pypi_name, obj.npm_name) if n
        ]
        return ", ".join(sources) or "–"


@admin.register(Release)
class ReleaseAdmin(PublishableAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "project", "version", "state", "published", "upstream"]
    list_filter = [StateFilter, "project", UpstreamFilter, "published_at"]
    search_fields = ["title", "version", "summary", "notes", "project__name"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]
    fields = [
        "project",
        "version",
        "title",
        "summary",
        "notes",
        "status",
        "published_at",
        "upstream_url",
        "upstream",
    ]
    readonly_fields = ["upstream"]

    @admin.display(description="imported")
    def upstream(self, obj):
        """Where it came from, and what upstream did since that the author should know."""
        if not obj.source:
            return "–"
        parts = [f"from {obj.source}"]
        if obj.upstream_changed_at:
            when = timezone.localtime(obj.upstream_changed_at)
            parts.append(f"changed upstream {when:%Y-%m-%d %H:%M} (your edits were kept)")
        if obj.upstream_deleted_at:
            when = timezone.localtime(obj.upstream_deleted_at)
            parts.append(f"deleted upstream {when:%Y-%m-%d %H:%M}")
        return "; ".join(parts)
