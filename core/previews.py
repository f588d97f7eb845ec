"""Previews of drafts and scheduled items: for staff, and through signed share links.

One mechanism for every previewable model. Each content app registers its own models in its
AppConfig.ready() (`register`): how to load an item and which detail template and context
show it. A preview renders that template with `is_preview`, which base.html turns into a
visible banner and a `noindex` robots tag; the response is never cached and says
`X-Robots-Tag: noindex`. The admin's "View on site", its preview buttons
(PublishableAdminMixin) and the dashboard ask here, so no content app imports another.

Share links need no database field: the URL carries the item's kind and id, signed with
the secret key (django.core.signing, its own salt) and a timestamp, and expires after
SHARE_LINK_MAX_AGE. Changing SECRET_KEY revokes every link at once. Once the item is
published, a preview address redirects to the public page.

The addresses (`home:preview`, `home:shared_preview`) are composed in home/urls.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from core.links import absolute_url
from core.models import SiteSettings

# Unchanged since the previews lived in `home`: links already shared keep working.
SALT = "home.previews.share"
SHARE_LINK_MAX_AGE = timedelta(days=30)


@dataclass(frozen=True)
class Previewable:
    kind: str  # in the URL: /preview/<kind>/<pk>/
    model: type
    # get_object(pk) -> the item, or Http404.
    get_object: Callable
    # page(obj, site) -> (template name, context) of the item's detail page.
    page: Callable


_kinds: dict[str, Previewable] = {}


def register(kind: str, model, get_object, page) -> None:
    """Make `model` previewable under `kind` (see `Previewable`)."""
    _kinds[kind] = Previewable(kind, model, get_object, page)


def kind_of(obj) -> str | None:
    for previewable in _kinds.values():
        if isinstance(obj, previewable.model):
            return previewable.kind
    return None


def preview_path(obj) -> str:
    """The staff-only preview address of `obj`."""
    return reverse("home:preview", kwargs={"kind": kind_of(obj), "pk": obj.pk})


def preview_url(obj) -> str | None:
    """The preview address of `obj`, or None when it has no registered preview."""
    return preview_path(obj) if kind_of(obj) else None


def view_on_site_url(obj) -> str | None:
    """What "View on site" opens: the public page once readers can see it, the preview
    before (a draft's or a scheduled item's public address is a 404)."""
    if getattr(obj, "is_published", True):
        return obj.get_absolute_url()
    return preview_url(obj)


def share_token(obj) -> str:
    return signing.dumps([kind_of(obj), obj.pk], salt=SALT)


def share_url(obj) -> str:
    """An absolute link anyone can open, without logging in, for SHARE_LINK_MAX_AGE."""
    return absolute_url(reverse("home:shared_preview", kwargs={"token": share_token(obj)}))


# --- The views ------------------------------------------------------------------------------


def _render(request, previewable, pk, *, shared):
    obj = previewable.get_object(pk)
    if obj.is_published:
        return redirect(obj.get_absolute_url())
    site = SiteSettings.get_solo()
    template, context = previewable.page(obj, site)
    context.update(
        site=site,
        is_preview=True,
        preview_state="scheduled" if obj.is_scheduled else "draft",
        preview_shared=shared,
        preview_object=obj,
        canonical_url=absolute_url(obj.get_absolute_url()),
    )
    response = render(request, template, context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


@staff_member_required
def staff_preview(request, kind, pk):
    if kind not in _kinds:
        raise Http404("No such kind of item.")
    return _render(request, _kinds[kind], pk, shared=False)


def shared_preview(request, token):
    try:
        kind, pk = signing.loads(token, salt=SALT, max_age=SHARE_LINK_MAX_AGE)
    except signing.SignatureExpired:
        response = render(request, "previews/expired.html", status=410)
        add_never_cache_headers(response)
        return response
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404("This preview link is not valid.") from None
    if kind not in _kinds or not isinstance(pk, int):
        raise Http404("This preview link is not valid.")
    return _render(request, _kinds[kind], pk, shared=True)
