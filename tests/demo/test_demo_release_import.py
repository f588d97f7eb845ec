"""The demo's projects name their GitHub repositories: a signed `release` `published`
event for Lambda Router (which imports in published mode) puts the release card on the
home page."""

import hashlib
import hmac
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import Project, Release
from tests.release_registry import FIXTURES

pytestmark = pytest.mark.django_db

SECRET = "demo webhook secret"


def test_a_signed_release_event_puts_the_card_on_the_demo_home_page(client, settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    call_command("seed_demo", verbosity=0)
    router = Project.objects.get(slug="lambda-router")
    assert router.github_repo == "riley-castellano-demo/lambda-router"
    assert router.import_mode == "published"
    assert Project.objects.get(slug="serverless-pool").github_repo

    body = (FIXTURES / "github_release_published.json").read_bytes()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        reverse("hooks:github"),
        body,
        content_type="application/json",
        HTTP_X_GITHUB_EVENT="release",
        HTTP_X_GITHUB_DELIVERY="72d3162e-cc78-11e3-81ab-4c9367dc0958",
        HTTP_X_HUB_SIGNATURE_256=signature,
    )
    assert response.json() == {"outcome": "created 0.12.0"}
    release = Release.objects.get(project=router, version="0.12.0")
    home = client.get("/").content.decode()
    assert "Lambda Router v0.12.0 released" in home
    assert release.get_absolute_url() in home
    assert json.loads(body)["release"]["tag_name"] == "v0.12.0"
