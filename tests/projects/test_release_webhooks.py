"""The release webhooks (projects.imports.webhooks) with GitHub's and GitLab's documented
payloads (tests/projects/fixtures/releases/): signatures, each event's effect, redelivery,
drafts and published mode, pre-releases, upstream edits and deletes, bad input."""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from core.models import Status
from projects.models import Project, Release, WebhookDelivery
from tests.factories import ProjectFactory
from tests.release_registry import FIXTURES

pytestmark = pytest.mark.django_db

SECRET = "It's a Secret to Everybody"


def payload(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github(client, data, *, event="release", delivery="d-1", secret=SECRET, signature=None):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    headers = {"HTTP_X_GITHUB_EVENT": event, "HTTP_X_GITHUB_DELIVERY": delivery}
    if signature is not False:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature or sign(body, secret)
    return client.post(reverse("hooks:github"), body, content_type="application/json", **headers)


@pytest.fixture
def hooked(settings, site):
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    site.email_new_posts = False
    site.save()
    return ProjectFactory(name="Lambda Router", slug="lambda-router",
                          github_repo="riley-castellano-demo/lambda-router")  # fmt: skip


def test_a_published_release_arrives_as_a_draft_by_default(client, hooked):
    response = github(client, payload("github_release_published.json"))
    assert response.status_code == 200
    assert response.json()["outcome"] == "created 0.12.0"
    release = Release.objects.get()
    assert release.version == "0.12.0"
    assert release.status == Status.DRAFT
    assert release.title == "Lambda Router v0.12.0 released"
    assert release.summary.startswith("Routes are compiled at deploy time")
    assert release.upstream_url.endswith("/releases/tag/v0.12.0")
    assert release.source == "github"
    assert "\r" not in release.notes
    # Scripts and iframes in the notes go the way of every body: sanitized.
    assert "<script" not in release.notes_html
    assert "<iframe" not in release.notes_html
    assert (
        'href="https://github.com/riley-castellano-demo/lambda-router/pull/41"'
        in release.notes_html
    )


def test_in_published_mode_it_is_on_the_home_page_at_once(client, hooked):
    hooked.import_mode = "published"
    hooked.save()
    github(client, payload("github_release_published.json"))
    release = Release.objects.get()
    assert release.status == Status.PUBLISHED
    home = client.get("/").content.decode()
    assert "Lambda Router v0.12.0 released" in home
    assert release.get_absolute_url() in home


def test_signatures(client, hooked, settings):
    data = payload("github_release_published.json")
    assert github(client, data, signature=False).status_code == 401
    assert github(client, data, secret="wrong").status_code == 403
    assert github(client, data, signature="sha256=" + "0" * 64).status_code == 403
    settings.GITHUB_WEBHOOK_SECRET = ""
    assert github(client, data).status_code == 403  # no secret anywhere: nothing trusted
    hooked.webhook_secret = "project's own"
    hooked.save()
    assert github(client, data, secret="project's own").status_code == 200
    assert Release.objects.count() == 1


def test_bad_input_changes_nothing(client, hooked):
    assert github(client, b"{not json").status_code == 400
    assert github(client, b"[1, 2]").status_code == 400
    big = json.dumps({"padding": "x" * (1024 * 1024)}).encode()
    assert github(client, big).status_code == 413
    broken = payload("github_release_published.json")
    broken["release"]["tag_name"] = None
    assert github(client, broken, delivery="d-2").status_code == 400
    assert not Release.objects.exists()
    # A 400 is not recorded as handled: the fixed redelivery goes through.
    assert (
        github(client, payload("github_release_published.json"), delivery="d-2").status_code == 200
    )


def test_an_unknown_repository_is_accepted_and_nothing_made(client, hooked, caplog):
    data = payload("github_release_published.json")
    data["repository"]["full_name"] = "someone/else"
    response = github(client, data)
    assert response.status_code == 202
    assert "someone/else" in response.json()["outcome"]
    assert not Release.objects.exists()
    assert "unknown repository" in caplog.text


def test_a_redelivery_changes_nothing(client, hooked):
    data = payload("github_release_published.json")
    github(client, data, delivery="same")
    Release.objects.update(summary="Changed here meanwhile")
    again = github(client, data, delivery="same")
    assert again.json()["outcome"] == "already handled"
    assert Release.objects.get().summary == "Changed here meanwhile"
    assert WebhookDelivery.objects.count() == 1


def test_ping_and_other_events(client, hooked):
    assert github(client, payload("github_ping.json"), event="ping").json()["outcome"] == "pong"
    assert github(client, {"zen": "x"}, event="push").status_code == 202


def test_pre_releases_only_when_the_project_wants_them(client, hooked):
    data = payload("github_release_prereleased.json")
    assert "pre-release" in github(client, data).json()["outcome"]
    assert not Release.objects.exists()
    hooked.import_prereleases = True
    hooked.save()
    github(client, data, delivery="d-2")
    assert Release.objects.get().version == "0.13.0-rc.1"


def test_an_upstream_edit_updates_an_untouched_release(client, hooked):
    github(client, payload("github_release_published.json"))
    github(client, payload("github_release_edited.json"), delivery="d-2")
    release = Release.objects.get()
    assert "Fixed a typo in the README" in release.notes
    assert release.upstream_changed_at is None


def test_an_upstream_edit_never_overwrites_an_edit_made_here(client, hooked, admin_client):
    github(client, payload("github_release_published.json"))
    release = Release.objects.get()
    release.summary = "My own words about this release."
    release.save()
    github(client, payload("github_release_edited.json"), delivery="d-2")
    release.refresh_from_db()
    assert release.summary == "My own words about this release."
    assert "Fixed a typo" not in release.notes
    assert release.upstream_changed_at is not None
    page = admin_client.get(reverse("admin:projects_release_change", args=[release.pk]))
    assert "changed upstream" in page.content.decode()
    listing = admin_client.get(reverse("admin:projects_release_changelist") + "?upstream=changed")
    assert "Lambda Router v0.12.0 released" in listing.content.decode()


def test_an_upstream_delete_never_deletes_a_release_here(client, hooked):
    hooked.import_mode = "published"
    hooked.save()
    github(client, payload("github_release_published.json"))
    github(client, payload("github_release_deleted.json"), delivery="d-2")
    release = Release.objects.get()
    assert release.status == Status.DRAFT  # untouched here: unpublished
    assert release.upstream_deleted_at is not None

    release.status = Status.PUBLISHED
    release.summary = "Edited here."
    release.save()
    github(client, payload("github_release_deleted.json"), delivery="d-3")
    release.refresh_from_db()
    assert release.status == Status.PUBLISHED  # edited here: kept as it is


def test_a_tag_that_is_no_version_is_slugged_safely(client, hooked):
    data = payload("github_release_published.json")
    data["release"]["tag_name"] = "nightly build/2026 <5>"
    github(client, data)
    release = Release.objects.get()
    assert release.version == "nightly-build2026-5"
    hooked.import_mode = "published"
    release.status = Status.PUBLISHED
    release.save()
    assert client.get(release.get_absolute_url()).status_code == 200


def gitlab(client, data, token="gitlab-token", uuid="g-1"):
    headers = {"HTTP_X_GITLAB_EVENT": "Release Hook", "HTTP_X_GITLAB_EVENT_UUID": uuid}
    if token:
        headers["HTTP_X_GITLAB_TOKEN"] = token
    return client.post(reverse("hooks:gitlab"), json.dumps(data), content_type="application/json",
                       **headers)  # fmt: skip


def test_gitlab_release_hooks(client, site, settings):
    settings.GITLAB_WEBHOOK_TOKEN = "gitlab-token"
    project = ProjectFactory(name="Serverless Pool", gitlab_project="riley/serverless-pool")
    create = payload("gitlab_release_create.json")
    assert gitlab(client, create, token="").status_code == 401
    assert gitlab(client, create, token="wrong").status_code == 403
    assert not Release.objects.exists()

    assert gitlab(client, create).json()["outcome"] == "created 2.3.0"
    release = Release.objects.get(project=project)
    assert release.summary == "Idle connections are closed after 30 s."
    assert gitlab(client, create).json()["outcome"] == "already handled"
    gitlab(client, payload("gitlab_release_update.json"), uuid="g-2")
    release.refresh_from_db()
    assert "- Docs" in release.notes
    gitlab(client, payload("gitlab_release_delete.json"), uuid="g-3")
    release.refresh_from_db()
    assert release.upstream_deleted_at is not None
    assert Project.objects.count() == 1
