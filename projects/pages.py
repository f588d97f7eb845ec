"""The pages that show a release, for warming the page cache after it changes (core.warming)."""

from django.urls import reverse

from core.models import Status


def release_pages(release) -> list[str]:
    if release.status != Status.PUBLISHED:  # live or scheduled
        return []
    return [
        release.get_absolute_url(),
        release.project.get_absolute_url(),
        reverse("projects:list"),
    ]
