"""Pages and feeds send ETag and Last-Modified and answer conditional requests with 304."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from core.models import Status
from tests.factories import (
    CategoryFactory,
    IssueFactory,
    PostFactory,
    PostUpdateFactory,
    ProjectFactory,
    ReleaseFactory,
    SeriesFactory,
    ago,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(site):
    category = CategoryFactory(slug="serverless")
    series = SeriesFactory(slug="prod")
    project = ProjectFactory(slug="router")
    post = PostFactory(slug="hello", categories=[category], series=series, published_at=ago(days=2))
    release = ReleaseFactory(project=project, version="1.0.0", published_at=ago(days=2))
    issue = IssueFactory(number=1, published_at=ago(days=2))
    return {"post": post, "release": release, "issue": issue}


def urls(content):
    return [
        "/",
        content["post"].get_absolute_url(),
        "/category/serverless/",
        "/archive/",
        "/series/prod/",
        "/projects/",
        "/projects/router/",
        content["release"].get_absolute_url(),
        "/newsletter/",
        content["issue"].get_absolute_url(),
        "/search/?q=hello",
        "/feed/",
        "/feed/atom/",
        "/feed/podcast/",
        "/category/serverless/feed/",
        "/newsletter/feed/",
        "/sitemap.xml",
    ]


def test_every_page_and_feed_answers_304_to_its_own_validators(client, content):
    for url in urls(content):
        response = client.get(url)
        assert response.status_code == 200, url
        etag, last_modified = response["ETag"], response["Last-Modified"]
        assert etag.startswith('W/"'), url
        assert "no-cache" in response["Cache-Control"], url

        again = client.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304, url
        assert again["ETag"] == etag
        assert again["Last-Modified"] == last_modified
        assert again.content == b""

        since = client.get(url, headers={"if-modified-since": last_modified})
        assert since.status_code == 304, url
        assert client.get(url, headers={"if-none-match": 'W/"stale"'}).status_code == 200


def test_last_modified_is_the_newest_change(client, content):
    response = client.get("/")
    newest = max(obj.updated_at for obj in (content["post"], content["release"], content["issue"]))
    assert parse_http_date(response["Last-Modified"]) == int(newest.timestamp())


def validators(client, url="/"):
    response = client.get(url)
    return response["ETag"], response["Last-Modified"]


def test_publishing_editing_unpublishing_and_deleting_change_the_validators(client, content):
    seen = [validators(client)]
    new = PostFactory(title="Fresh")
    seen.append(validators(client))
    new.title = "Fresh, edited"
    new.save()
    seen.append(validators(client))
    PostUpdateFactory(post=new)
    seen.append(validators(client))
    new.status = Status.DRAFT
    new.save()
    seen.append(validators(client))
    etags = [etag for etag, _ in seen]
    assert len(set(etags)) == len(etags)

    # A deletion leaves no newer row behind: Last-Modified must still move forward.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        etag, last_modified = validators(client)
        content["issue"].delete()
        new_etag, new_last_modified = validators(client)
        assert new_etag != etag
        assert parse_http_date(new_last_modified) > parse_http_date(last_modified)
        response = client.get("/", headers={"if-modified-since": last_modified})
        assert response.status_code == 200


def test_a_scheduled_post_changes_the_version_when_it_goes_live(client, content):
    publish_at = timezone.now() + datetime.timedelta(hours=1)
    PostFactory(title="Later", published_at=publish_at)
    etag, last_modified = validators(client)
    with time_machine.travel(publish_at + datetime.timedelta(seconds=1)):
        response = client.get("/", headers={"if-none-match": etag})
        assert response.status_code == 200
        assert "Later" in response.content.decode()
        assert parse_http_date(response["Last-Modified"]) == int(publish_at.timestamp())
        response = client.get("/", headers={"if-modified-since": last_modified})
        assert response.status_code == 200


def test_settings_changes_change_the_version(client, content, site):
    etag, _ = validators(client, "/feed/")
    site.author_name = "Someone Else"
    site.save()
    assert validators(client, "/feed/")[0] != etag


def test_admin_actions_that_bypass_save_change_the_version(client, content, admin_client):
    etag, _ = validators(client)
    admin_client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "make_draft", "_selected_action": [content["post"].pk]},
    )
    assert validators(client)[0] != etag


def test_not_found_and_post_requests_are_not_conditional(client, content):
    response = client.get("/posts/nope/")
    assert response.status_code == 404
    assert "ETag" not in response
    old = http_date((timezone.now() - datetime.timedelta(days=1)).timestamp())
    assert client.get("/posts/nope/", headers={"if-modified-since": old}).status_code == 404
