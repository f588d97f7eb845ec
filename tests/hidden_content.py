"""Drafts and scheduled items of every kind, which no reader page may ever show: the
`hidden` fixture (available everywhere through tests/conftest.py) and the check."""

import datetime

import pytest
from django.utils import timezone

from core.models import Status
from tests.factories import (
    CategoryFactory,
    IssueFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
)


@pytest.fixture
def hidden(site):
    """One draft and one scheduled item of each kind: none may ever reach a reader."""
    category = CategoryFactory(slug="serverless", name="Serverless")
    project = ProjectFactory(slug="lambda-api", name="Lambda Router")
    future = timezone.now() + datetime.timedelta(days=2)
    return {
        "category": category,
        "project": project,
        "objects": [
            PostFactory(title="Draft post", status=Status.DRAFT, categories=[category]),
            PostFactory(title="Scheduled post", published_at=future, categories=[category]),
            ReleaseFactory(project=project, version="9.0.0", title="Draft release",
                           status=Status.DRAFT),
            ReleaseFactory(project=project, version="9.1.0", title="Scheduled release",
                           published_at=future),
            IssueFactory(number=90, title="Draft issue", status=Status.DRAFT),
            IssueFactory(number=91, title="Scheduled issue", published_at=future),
        ],
    }  # fmt: skip


def assert_hidden(response, hidden):
    body = response.content.decode()
    for obj in hidden["objects"]:
        assert obj.title not in body, f"{obj.title!r} leaked into {response.request['PATH_INFO']}"
