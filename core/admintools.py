"""Buttons and notes an app adds to another app's admin change page, without touching its
admin class: the mailings app adds "Send to subscribers" and "Sent by email to …" to a
post's page. Each app registers for a model from its AppConfig.ready(); the change form of
every PublishableAdminMixin admin shows what is registered (core/templatetags/admintools).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.http import HttpRequest


@dataclass(frozen=True)
class Tool:
    label: str
    url: str


@dataclass(frozen=True)
class ObjectTools:
    tools: list[Tool]
    notes: list[str]


# For one object: its buttons and the lines shown above its form.
ToolsFor = Callable[[HttpRequest, models.Model], ObjectTools]
_registry: dict[str, list[ToolsFor]] = {}


def register(model: type[models.Model], tools_for: ToolsFor) -> None:
    _registry.setdefault(model._meta.label_lower, []).append(tools_for)


def tools_for(request: HttpRequest, obj) -> ObjectTools:
    found = ObjectTools([], [])
    if obj is None or obj.pk is None:
        return found
    for callback in _registry.get(obj._meta.label_lower, []):
        more = callback(request, obj)
        found.tools.extend(more.tools)
        found.notes.extend(more.notes)
    return found
