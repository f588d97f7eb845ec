"""The Markdown editor in the admin: its widget, draft autosave and the alt-text check.

The browser side is static/js/editor.js (uploads with the server's reason shown, alt text
asked for each image, the upload button, word count, autosave, the unsaved-changes
warning); this module gives it what only the server knows.
"""

from html.parser import HTMLParser

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import JsonResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from core.markdown import render_markdown
from core.models import Status


class EditorWidget(AdminMarkdownxWidget):
    """markdownx's side-by-side editor and preview, plus the project's editor script."""

    class Media:
        css = {"all": ["css/editor.css"]}
        js = ["js/editor.js"]


class _ImageSources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.missing_alt: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            attributes = dict(attrs)
            if not (attributes.get("alt") or "").strip():
                self.missing_alt.append(attributes.get("src") or "(no address)")


def images_without_alt(markdown_text: str) -> list[str]:
    """The addresses of images in `markdown_text` that readers get without alt text.

    It reads the rendered HTML, so every way of writing an image (`![](…)`, reference
    images, raw `<img>`) is judged by what readers actually receive."""
    parser = _ImageSources()
    parser.feed(render_markdown(markdown_text))
    return parser.missing_alt


def markdown_fields(model) -> list[str]:
    return [f.name for f in model._meta.get_fields() if isinstance(f, MarkdownxField)]


def autosave_version(obj) -> str:
    """What the browser sends back with each autosave: the object's last change time.

    A save from anywhere else (the form itself, another tab) changes it, so a late or
    stale autosave is refused instead of overwriting newer text."""
    return obj.updated_at.isoformat()


class DraftEditorMixin:
    """For the admins of publishable content: Save buttons on top, a warning about images
    without alt text after each save, and autosave of a draft's Markdown while the author
    types (published and scheduled items are never changed by autosave: their edits wait
    for Save, with a copy kept in the browser)."""

    save_on_top = True

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/autosave/",
                self.admin_site.admin_view(self.autosave_view),
                name=f"{opts.app_label}_{opts.model_name}_autosave",
            ),
            *super().get_urls(),
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and obj.status == Status.DRAFT:
            opts = self.model._meta
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_autosave",
                args=[obj.pk],
            )
            for name in markdown_fields(self.model):
                field = form.base_fields.get(name)
                if field is not None:
                    field.widget.attrs["data-autosave-url"] = url
                    field.widget.attrs["data-autosave-version"] = autosave_version(obj)
        return form

    @staticmethod
    def _refuse(message: str, status: int) -> JsonResponse:
        return JsonResponse({"error": message}, status=status)

    def autosave_view(self, request, object_id):
        return require_POST(self._autosave)(request, object_id)

    def _autosave(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._refuse("This item no longer exists.", 404)
        if not self.has_change_permission(request, obj):
            return self._refuse("You may not change this item.", 403)
        if obj.status != Status.DRAFT:
            return self._refuse(
                "Only drafts are saved while you type; press Save to publish your changes.", 409
            )
        if request.POST.get("version") != autosave_version(obj):
            return self._refuse(
                "This item was saved elsewhere since this page was opened; "
                "reload it before going on (your text is kept in this browser).",
                409,
            )
        allowed = markdown_fields(self.model)
        changes = {name: request.POST[name] for name in allowed if name in request.POST}
        if not changes:
            return self._refuse(f"Nothing to save: send one of {', '.join(allowed)}.", 400)
        for name, value in changes.items():
            field = self.model._meta.get_field(name)
            if not value.strip() and not field.blank:
                return self._refuse(f"The {field.verbose_name} cannot be empty.", 400)
            setattr(obj, name, value)
        # A full save: the rendered HTML, word count and search follow the text; a draft
        # counts for no reader-visible content version, so no public page changes.
        obj.save()
        return JsonResponse(
            {"saved_at": obj.updated_at.isoformat(), "version": autosave_version(obj)}
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        missing = [
            src
            for name in markdown_fields(self.model)
            for src in images_without_alt(getattr(obj, name))
        ]
        if missing:
            images = "1 image has" if len(missing) == 1 else f"{len(missing)} images have"
            messages.warning(
                request,
                f"Saved, but {images} no alt text, so screen readers skip them: "
                f"{', '.join(missing)}. Describe each one between the brackets: "
                "![what it shows](…).",
            )
