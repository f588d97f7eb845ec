"""Polling (projects.imports.polling, `manage.py sync_releases`) against recorded GitHub,
GitLab, PyPI and npm answers served on loopback: conditional requests, pre-releases, the
first source keeping a version, errors and rate limits that never stop other projects,
and the schedule's single chain."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from projects.imports import polling
from projects.models import Release, ReleaseFeed, ReleasePolling
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

GITHUB = "/repos/riley-castellano-demo/lambda-router/releases"
GITLAB = "/api/v4/projects/riley%2Fserverless-pool/releases"
PYPI = "/pypi/serverless-pool/json"
NPM = "/lambda-router-demo"


@pytest.fixture
def router(site, registry):
    site.email_new_posts = False
    site.save()
    registry.serve_fixture(GITHUB, "github_list_releases.json")
    return ProjectFactory(name="Lambda Router", slug="lambda-router",
                          github_repo="riley-castellano-demo/lambda-router")  # fmt: skip


def sync(*args) -> str:
    out = io.StringIO()
    call_command("sync_releases", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_github_releases_are_read_then_asked_for_again_conditionally(router, registry):
    out = sync("--project", "lambda-router")
    assert "created 0.12.0" in out
    assert "created 0.11.0" in out
    assert sorted(Release.objects.values_list("version", flat=True)) == ["0.11.0", "0.12.0"]
    first, second = registry.hits(GITHUB)[0], None
    assert first["Accept"] == "application/vnd.github+json"
    assert "If-None-Match" not in first

    assert "not modified" in sync("--project", "lambda-router")
    second = registry.hits(GITHUB)[1]
    assert second["If-None-Match"] == ReleaseFeed.objects.get().etag
    assert Release.objects.count() == 2


def test_a_token_is_sent_when_configured(router, registry, settings):
    settings.GITHUB_TOKEN = "ghp_example"
    sync()
    assert registry.hits(GITHUB)[0]["Authorization"] == "Bearer ghp_example"


def test_pypi_and_npm_versions_and_the_first_source_keeps_a_version(router, registry):
    registry.serve_fixture(PYPI, "pypi_serverless_pool.json")
    registry.serve_fixture(NPM, "npm_lambda_router.json")
    pool = ProjectFactory(
        name="Serverless Pool", slug="serverless-pool", pypi_name="serverless-pool"
    )
    router.npm_name = "lambda-router-demo"
    router.save()
    sync()
    # 2.1.0's files were all yanked; 2.4.0b1 is a pre-release.
    assert sorted(pool.releases.values_list("version", flat=True)) == ["2.2.0", "2.3.0"]
    released = pool.releases.get(version="2.3.0")
    assert released.upstream_url == "https://pypi.org/project/serverless-pool/2.3.0/"
    assert released.summary == "Version 2.3.0."
    # 0.12.0 came from GitHub with its notes; npm's bare version does not replace them.
    assert router.releases.get(version="0.12.0").source == "github"
    assert "0.13.0-rc.1" not in set(router.releases.values_list("version", flat=True))


def test_an_error_never_stops_the_other_projects(router, registry):
    registry.serve_fixture(PYPI, "pypi_serverless_pool.json")
    registry.fail(GITHUB, 500)
    pool = ProjectFactory(
        name="Serverless Pool", slug="serverless-pool", pypi_name="serverless-pool"
    )
    out = sync()
    assert "lambda-router · github: failed" in out
    assert pool.releases.count() == 2
    feed = ReleaseFeed.objects.get(project=router)
    assert feed.failures == 1
    assert "500" in feed.last_error
    assert (
        datetime.timedelta(minutes=4)
        < feed.next_check_at - timezone.now()
        <= datetime.timedelta(minutes=5)
    )

    # The worker's poll waits for the back-off; a second failure waits twice as long.
    assert "waiting" in polling.sync_source(router, "github")
    polling.sync_source(router, "github", force=True)
    feed.refresh_from_db()
    assert feed.failures == 2
    registry.heal(GITHUB)
    polling.sync_source(router, "github", force=True)
    feed.refresh_from_db()
    assert (feed.failures, feed.last_error) == (0, "")
    assert router.releases.count() == 2


def test_a_rate_limit_is_waited_out_as_the_api_says(router, registry):
    registry.fail(GITHUB, 429, Retry_After="1800")
    sync()
    feed = ReleaseFeed.objects.get()
    assert (
        datetime.timedelta(minutes=29)
        < feed.next_check_at - timezone.now()
        <= datetime.timedelta(minutes=30)
    )


def test_gitlab_releases_are_polled(site, registry):
    registry.serve_fixture(GITLAB, "gitlab_list_releases.json")
    pool = ProjectFactory(name="Serverless Pool", gitlab_project="riley/serverless-pool")
    sync()
    assert sorted(pool.releases.values_list("version", flat=True)) == ["2.2.0", "2.3.0"]


def test_unknown_projects_and_nothing_configured_are_said(site):
    with pytest.raises(CommandError, match="No project with the slug"):
        sync("--project", "nope")
    ProjectFactory(slug="plain")
    with pytest.raises(CommandError, match="names no GitHub"):
        sync("--project", "plain")


def test_the_schedule_is_one_chain(router, registry):
    queued = []
    assert polling.arm(queued.append) is not None
    assert polling.arm(queued.append) is not None  # a second worker: no second chain
    assert len(queued) == 1
    result = polling.run(queued[0].isoformat(), queued.append)
    assert "lambda-router" in result
    assert len(queued) == 2  # the next link
    assert polling.run(queued[0].isoformat(), queued.append) == {"skipped": "not the live chain"}
    assert ReleasePolling.objects.count() == 1
