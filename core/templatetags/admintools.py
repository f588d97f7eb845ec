from django import template

from core import admintools

register = template.Library()


@register.inclusion_tag("admin/includes/registered_tools.html", takes_context=True)
def registered_tools(context, obj):
    """The buttons other apps registered for this object (core.admintools)."""
    return {"found": admintools.tools_for(context["request"], obj), "part": "tools"}


@register.inclusion_tag("admin/includes/registered_tools.html", takes_context=True)
def registered_notes(context, obj):
    return {"found": admintools.tools_for(context["request"], obj), "part": "notes"}
