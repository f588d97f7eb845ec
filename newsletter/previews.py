"""Newsletter issues in the previews of drafts and scheduled items (core.previews)."""

from django.shortcuts import get_object_or_404

from core import previews
from newsletter.models import Issue


def _issue(pk):
    return get_object_or_404(Issue, pk=pk)


def _issue_page(issue, site):
    return "newsletter/issue_detail.html", {
        "issue": issue,
        "previous_issue": None,
        "next_issue": None,
    }


def register():
    previews.register("issue", Issue, _issue, _issue_page)
