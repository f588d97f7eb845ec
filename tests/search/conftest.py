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
    ago,
)


@pytest.fixture
def corpus(site):
    databases = CategoryFactory(slug="databases", name="Databases")
    serverless = CategoryFactory(slug="serverless", name="Serverless")
    project = ProjectFactory(name="Lambda Router", slug="lambda-router")
    return {
        "databases": databases,
        "serverless": serverless,
        "pooling": PostFactory(
            title="Connection pooling for functions",
            body="Every invocation opens a database connection pool. PgBouncer helps.\n",
            published_at=ago(days=10),
            categories=[databases, serverless],
        ),
        "budget": PostFactory(
            title="Cold starts are a budget",
            body="Measure the cold start of each function before optimising anything.\n",
            published_at=ago(days=9),
            categories=[serverless],
        ),
        "release": ReleaseFactory(
            project=project,
            version="0.10.0",
            summary="Streaming responses and a connection retry option.",
            notes="### Added\n\n- Streaming responses\n",
            published_at=ago(days=8),
        ),
        "issue": IssueFactory(
            number=3,
            subtitle="Retries without tears",
            body="This week: idempotent queue consumers and a pooling checklist.\n",
            published_at=ago(days=7),
        ),
        "draft": PostFactory(
            title="Secret connection draft", status=Status.DRAFT, body="connection pooling"
        ),
        "scheduled": PostFactory(
            title="Scheduled connection post",
            body="connection pooling",
            published_at=timezone.now() + datetime.timedelta(days=1),
        ),
    }
