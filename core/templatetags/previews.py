from django import template

from core import previews

register = template.Library()


@register.inclusion_tag("admin/includes/preview_tools.html")
def preview_tools(obj):
    """ "Preview" and "Share link" buttons for a draft or scheduled item's change page."""
    if obj is None or obj.pk is None or previews.kind_of(obj) is None or obj.is_published:
        return {"show": False}
    return {
        "show": True,
        "preview_url": previews.preview_path(obj),
        "share_url": previews.share_url(obj),
        "days": previews.SHARE_LINK_MAX_AGE.days,
    }


@register.inclusion_tag("admin/includes/preview_share_note.html")
def preview_share_note(obj):
    """The share link written out, so it can be selected and copied without JavaScript."""
    return preview_tools(obj)
