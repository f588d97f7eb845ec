"""Previews of drafts and scheduled items: for staff, and through signed share links.

One mechanism for posts, releases and newsletter issues. A preview renders the item's own
detail template with `is_preview`, which base.html turns into a visible banner and a
`noindex` robots tag; the response is never cached and says `X-Robots-Tag: noindex`.

Share links need no database field: the URL carries the item's kind and id, signed with
the secret key (django.core.signing, its own salt) and a timestamp, and expires after
SHARE_LINK_MAX_AGE. Changing SECRET_KEY revokes every link at once. Once the item is
published, a preview address redirects to the public page.
"""

from datetime import timedelta

from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from blog.models import Post
from blog.views import detail_queryset, post_page_context
from core.links import absolute_url
from core.models import SiteSettings
from newsletter.models import Issue
from projects.models import Release

SALT = "home.previews.share"
SHARE_LINK_MAX_AGE = timedelta(days=30)


def _post(pk):
    post = get_object_or_404(detail_queryset(Post.objects.all()), pk=pk)
    return post, "blog/post_detail.html", {"post": post}


def _release(pk):
    release = get_object_or_404(Release.objects.select_related("project"), pk=pk)
    return release, "projects/release_detail.html", {"release": release}


def _issue(pk):
    issue = get_object_or_404(Issue, pk=pk)
    context = {"issue": issue, "previous_issue": None, "next_issue": None}
    return issue, "newsletter/issue_detail.html", context


KINDS = {"post": (Post, _post), "release": (Release, _release), "issue": (Issue, _issue)}


def models() -> list[type]:
    return [model for model, _ in KINDS.values()]


def kind_of(obj) -> str | None:
    for kind, (model, _) in KINDS.items():
        if isinstance(obj, model):
            return kind
    return None


def preview_path(obj) -> str:
    """The staff-only preview address of `obj`."""
    return reverse("home:preview", kwargs={"kind": kind_of(obj), "pk": obj.pk})


def share_token(obj) -> str:
    return signing.dumps([kind_of(obj), obj.pk], salt=SALT)


def share_url(obj) -> str:
    """An absolute link anyone can open, without logging in, for SHARE_LINK_MAX_AGE."""
    return absolute_url(reverse("home:shared_preview", kwargs={"token": share_token(obj)}))


def _render(request, kind, pk, *, shared):
    obj, template, context = KINDS[kind][1](pk)
    if obj.is_published:
        return redirect(obj.get_absolute_url())
    site = SiteSettings.get_solo()
    if kind == "post":
        context.update(post_page_context(obj, site, preview=True))
    state = "scheduled" if obj.is_scheduled else "draft"
    context.update(
        site=site,
        is_preview=True,
        preview_state=state,
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
    if kind not in KINDS:
        raise Http404("No such kind of item.")
    return _render(request, kind, pk, shared=False)


def shared_preview(request, token):
    try:
        kind, pk = signing.loads(token, salt=SALT, max_age=SHARE_LINK_MAX_AGE)
    except signing.SignatureExpired:
        response = render(request, "home/preview_expired.html", status=410)
        add_never_cache_headers(response)
        return response
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404("This preview link is not valid.") from None
    if kind not in KINDS or not isinstance(pk, int):
        raise Http404("This preview link is not valid.")
    return _render(request, kind, pk, shared=True)
