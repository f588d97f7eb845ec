from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html

from wordpress.forms import ImportForm, max_upload_bytes
from wordpress.importer import Importer, default_warnings_path
from wordpress.models import ImportedItem
from wordpress.wxr import NotAnExport

IMPORT_PERMISSIONS = ("blog.add_post", "blog.change_post", "blog.add_category")


@admin.register(ImportedItem)
class ImportedItemAdmin(admin.ModelAdmin):
    """What each WordPress item became; the "Import from WordPress" page hangs off here."""

    change_list_template = "admin/wordpress/importeditem/change_list.html"
    list_display = ["wp_id", "wp_type", "imported_as", "old_url", "last_imported_at"]
    list_filter = ["wp_type", "source"]
    search_fields = ["guid", "old_url"]
    list_select_related = ["content_type"]
    readonly_fields = [
        "source",
        "wp_id",
        "guid",
        "wp_type",
        "imported_as",
        "old_url",
        "old_path",
        "first_imported_at",
        "last_imported_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("content_object")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="imported as")
    def imported_as(self, obj):
        target = obj.content_object
        if target is None:
            return "(deleted)"
        opts = target._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
        except NoReverseMatch:
            return str(target)
        return format_html('<a href="{}">{}</a>', url, target)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="wordpress_importeditem_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                importer = Importer(
                    form.cleaned_data["export"],
                    dry_run=form.cleaned_data["dry_run"],
                    pages=form.cleaned_data["pages"],
                    warnings_path=default_warnings_path(),
                )
                try:
                    report = importer.run()
                except NotAnExport as exc:  # checked by the form; kept for safety
                    form.add_error("export", str(exc))
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import from WordPress",
            "form": form,
            "report": report,
            "max_upload": max_upload_bytes(),
        }
        return TemplateResponse(request, "admin/wordpress/import.html", context)
