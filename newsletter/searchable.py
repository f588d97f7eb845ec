"""What newsletter issues contribute to the site search (core.searchindex); registered in
NewsletterConfig."""

from core import searchindex
from core.markdown import html_to_text
from newsletter.models import Issue


def issue_document(issue) -> searchindex.Document | None:
    if not issue.on_web:  # email-only issues, posts and releases by email: never found
        return None
    return searchindex.Document(
        title=issue.title,
        summary=issue.subtitle,
        body=html_to_text(issue.body_html),
        url=issue.get_absolute_url(),
        status=issue.status,
        published_at=issue.published_at,
    )


def register():
    searchindex.register(
        Issue,
        kind="issue",
        label="Newsletter issue",
        filter_label="Newsletter",
        document=issue_document,
    )
