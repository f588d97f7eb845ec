"""The pages that show an issue, for warming the page cache after it changes (core.warming)."""

from django.urls import reverse

from core.models import Status


def issue_pages(issue) -> list[str]:
    if issue.status != Status.PUBLISHED or not issue.on_web or issue.number is None:
        return []
    return [issue.get_absolute_url(), reverse("newsletter:index")]
