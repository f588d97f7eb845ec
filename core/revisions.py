"""Revisions of what the author writes, kept by django-reversion, and a page comparing two.

django-reversion stores each admin save as a revision and gives the admin a history list,
a revert form ("restore") and the recovery of deleted items. What it lacks is a comparison:
`RevisionAdmin` adds one, a line-by-line diff of each changed field (difflib), reached from
the history page.
"""

import datetime
import difflib
from dataclasses import dataclass

from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from reversion.admin import VersionAdmin
from reversion.models import Version

# Unchanged lines shown around each change; longer unchanged stretches are folded.
CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed" or "fold"
    text: str


def line_diff(old: str, new: str) -> list[DiffLine]:
    """`old` to `new` line by line, with CONTEXT_LINES of context around each change."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    lines = []
    for group_index, group in enumerate(matcher.get_grouped_opcodes(CONTEXT_LINES)):
        first = group[0]
        if group_index or first[1] or first[3]:
            lines.append(DiffLine("fold", f"… line {first[3] + 1}"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("same", text) for text in old_lines[i1:i2])
                continue
            lines.extend(DiffLine("removed", text) for text in old_lines[i1:i2])
            lines.extend(DiffLine("added", text) for text in new_lines[j1:j2])
    return lines


def _display(field, value) -> str:
    """A stored field value as the author knows it (names for related rows, labels for
    choices)."""
    if value in (None, "", []):
        return "—"
    if isinstance(field, models.ManyToManyField):
        names = field.related_model._default_manager.filter(pk__in=value)
        return ", ".join(sorted(str(item) for item in names)) or "—"
    if isinstance(field, models.ForeignKey):
        item = field.related_model._default_manager.filter(pk=value).first()
        return str(item) if item is not None else f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if hasattr(value, "name") and not isinstance(value, str):  # a FieldFile
        return value.name or "—"
    return str(value)


def _current_values(obj) -> dict:
    values = {field.attname: field.value_from_object(obj) for field in obj._meta.concrete_fields}
    for field in obj._meta.many_to_many:
        values[field.name] = [item.pk for item in field.value_from_object(obj)]
    return values


def _comparable(value):
    if isinstance(value, datetime.datetime):
        # Revisions are stored as JSON, which keeps milliseconds only.
        return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    if isinstance(value, list):
        return sorted(str(item) for item in value)
    if hasattr(value, "name") and not isinstance(value, str):  # a FieldFile
        return value.name or ""
    return "" if value is None else str(value)


def compare_fields(model, old: dict, new: dict) -> list[dict]:
    """The author-editable fields that differ between two sets of stored values."""
    changes = []
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if not field.editable or field.primary_key:
            continue
        key = field.name if field.many_to_many else field.attname
        before, after = _comparable(old.get(key)), _comparable(new.get(key))
        if before == after:
            continue
        change = {"label": field.verbose_name, "name": field.name}
        if isinstance(field, models.TextField):
            change["lines"] = line_diff(before, after)
        else:
            change["before"] = _display(field, old.get(key))
            change["after"] = _display(field, new.get(key))
        changes.append(change)
    return changes


class RevisionAdmin(VersionAdmin):
    """django-reversion's admin (history, restore, recover deleted) with a comparison page."""

    object_history_template = "admin/core/revision_history.html"
    history_latest_first = True

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{opts.app_label}_{opts.model_name}_compare",
            ),
            *super().get_urls(),
        ]

    def _url(self, name, *args, query=""):
        opts = self.model._meta
        url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args
        )
        return url + query

    def _versions(self, obj):
        return list(
            Version.objects.get_for_object(obj)
            .select_related("revision", "revision__user")
            .order_by("-revision__date_created", "-pk")
        )

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        rows = []
        if obj is not None:
            versions = self._versions(obj)
            for index, version in enumerate(versions):
                older = versions[index + 1] if index + 1 < len(versions) else None
                compare = self._url("compare", quote(obj.pk))
                rows.append(
                    {
                        "version": version,
                        "restore_url": self._url("revision", quote(obj.pk), version.pk),
                        "compare_previous_url": older
                        and f"{compare}?from={older.pk}&to={version.pk}",
                        "compare_current_url": f"{compare}?from={version.pk}&to=current",
                    }
                )
        context = {"revision_rows": rows, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = {str(version.pk): version for version in self._versions(obj)}
        old = versions.get(request.GET.get("from", ""))
        to = request.GET.get("to", "current")
        new = None if to == "current" else versions.get(to)
        if old is None or (to != "current" and new is None):
            raise Http404("Pick two revisions of this item from its history.")
        new_values = _current_values(obj) if new is None else new.field_dict
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "original": obj,
            "title": f"Compare revisions of “{obj}”",
            "subtitle": None,
            "old": old,
            "new": new,
            "changes": compare_fields(self.model, old.field_dict, new_values),
            "restore_url": self._url("revision", quote(obj.pk), old.pk),
            "history_url": self._url("history", quote(obj.pk)),
            "change_url": self._url("change", quote(obj.pk)),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/core/revision_compare.html", context)
