"""Where the admin finds the preview of an item readers cannot see yet.

The previews themselves are composed above the content apps (home.previews); whoever
provides them registers, per model, a function that returns an item's preview address.
The admin's "View on site" and the dashboard ask here, so no content app imports them.
"""

_preview_paths: dict[type, object] = {}


def register(model, preview_path) -> None:
    """`preview_path(obj)` returns the staff-only preview address of an instance of `model`."""
    _preview_paths[model] = preview_path


def preview_url(obj) -> str | None:
    """The preview address of `obj`, or None when it has no registered preview."""
    preview_path = _preview_paths.get(type(obj))
    return preview_path(obj) if preview_path else None


def view_on_site_url(obj) -> str | None:
    """What "View on site" opens: the public page once readers can see it, the preview
    before (a draft's or a scheduled item's public address is a 404)."""
    if getattr(obj, "is_published", True):
        return obj.get_absolute_url()
    return preview_url(obj)
