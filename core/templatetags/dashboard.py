"""The admin index's dashboard (core.dashboard), for templates/admin/index.html."""

from django import template

from core import dashboard as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard(context):
    return registry.dashboard(context["request"])


@register.filter
def authoring_first(app_list):
    return registry.authoring_first(app_list)
