"""Releases in the previews of drafts and scheduled items (core.previews)."""

from django.shortcuts import get_object_or_404

from core import previews
from projects.models import Release


def _release(pk):
    return get_object_or_404(Release.objects.select_related("project"), pk=pk)


def _release_page(release, site):
    return "projects/release_detail.html", {"release": release}


def register():
    previews.register("release", Release, _release, _release_page)
