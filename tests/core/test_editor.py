"""The editor's server side: draft autosave, the alt-text warning on save, Save on top."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from blog.models import Post
from core.editor import images_without_alt
from core.models import Status
from core.versioning import content_version
from newsletter.models import Issue
from projects.models import Release
from tests.factories import IssueFactory, PostFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client):
    user = get_user_model().objects.create_superuser("author", "author@example.com", "pw")
    client.force_login(user)
    return user


def url(obj, action):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=[obj.pk])


def autosave_attributes(client, obj) -> dict:
    """What the change page hands the editor script for autosave (empty when none)."""
    html = client.get(url(obj, "change")).content.decode()
    return dict(re.findall(r'data-(autosave-(?:url|version))="([^"]*)"', html))


def test_a_drafts_body_is_autosaved_without_publishing_or_changing_public_pages(
    client, site, author
):
    draft = PostFactory(status=Status.DRAFT, body="Old text.")
    attributes = autosave_attributes(client, draft)
    assert attributes["autosave-url"] == url(draft, "autosave")
    version_before = content_version().etag

    response = client.post(
        attributes["autosave-url"],
        {"version": attributes["autosave-version"], "body": "New *text*, typed just now."},
    )

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.body == "New *text*, typed just now."
    assert draft.body_html == "<p>New <em>text</em>, typed just now.</p>\n"
    assert draft.status == Status.DRAFT
    assert response.json()["version"] == draft.updated_at.isoformat()
    # Readers' pages are keyed on the content version: a draft's text is not part of it.
    assert content_version().etag == version_before
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_autosave_follows_the_version_it_returns(client, site, author):
    draft = IssueFactory(status=Status.DRAFT)
    attributes = autosave_attributes(client, draft)
    first = client.post(
        attributes["autosave-url"], {"version": attributes["autosave-version"], "body": "One"}
    )
    second = client.post(
        attributes["autosave-url"], {"version": first.json()["version"], "body": "Two"}
    )
    assert second.status_code == 200
    draft.refresh_from_db()
    assert draft.body == "Two"


@pytest.mark.parametrize("factory", [PostFactory, ReleaseFactory, IssueFactory])
def test_published_and_scheduled_items_are_never_autosaved(client, site, author, factory):
    item = factory(status=Status.PUBLISHED)
    assert autosave_attributes(client, item) == {}
    field = "notes" if isinstance(item, Release) else "body"
    before = getattr(item, field)

    response = client.post(
        url(item, "autosave"), {"version": item.updated_at.isoformat(), field: "Half-typed"}
    )

    assert response.status_code == 409
    assert "press Save" in response.json()["error"]
    item.refresh_from_db()
    assert getattr(item, field) == before


def test_a_release_drafts_notes_are_autosaved(client, site, author):
    release = ReleaseFactory(status=Status.DRAFT, notes="")
    attributes = autosave_attributes(client, release)
    response = client.post(
        attributes["autosave-url"],
        {"version": attributes["autosave-version"], "notes": "- Faster routing"},
    )
    assert response.status_code == 200
    release.refresh_from_db()
    assert release.notes == "- Faster routing"
    assert "<li>Faster routing</li>" in release.notes_html


def test_a_stale_autosave_is_refused_and_changes_nothing(client, site, author):
    draft = PostFactory(status=Status.DRAFT, body="Saved from the form.")
    stale = autosave_attributes(client, draft)["autosave-version"]
    draft.body = "Saved again from another tab."
    draft.save()

    response = client.post(url(draft, "autosave"), {"version": stale, "body": "Older text"})

    assert response.status_code == 409
    assert "saved elsewhere" in response.json()["error"]
    draft.refresh_from_db()
    assert draft.body == "Saved again from another tab."


def test_autosave_changes_only_markdown_fields(client, site, author):
    draft = PostFactory(status=Status.DRAFT, title="Kept", body="Body")
    version = autosave_attributes(client, draft)["autosave-version"]

    response = client.post(url(draft, "autosave"), {"version": version, "title": "Changed"})
    assert response.status_code == 400
    assert "body" in response.json()["error"]

    response = client.post(url(draft, "autosave"), {"version": version, "body": "   "})
    assert response.status_code == 400
    assert "cannot be empty" in response.json()["error"]

    draft.refresh_from_db()
    assert (draft.title, draft.body) == ("Kept", "Body")


def test_autosave_is_for_staff_and_only_by_post(client, site):
    draft = PostFactory(status=Status.DRAFT, body="Body")
    response = client.post(url(draft, "autosave"), {"body": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    client.force_login(get_user_model().objects.create_superuser("a", "a@example.com", "pw"))
    assert client.get(url(draft, "autosave")).status_code == 405
    missing = reverse("admin:blog_post_autosave", args=[draft.pk + 100])
    assert client.post(missing, {"body": "x"}).status_code == 404
    draft.refresh_from_db()
    assert draft.body == "Body"


def test_images_without_alt_text_are_found_in_what_readers_get():
    text = (
        "![](/media/a.png) ![A chart](/media/b.png) ![ ](/media/c.png)\n\n"
        '![][ref]\n\n[ref]: /media/d.png\n\n<img src="/media/e.png">'
    )
    assert images_without_alt(text) == [
        "/media/a.png",
        "/media/c.png",
        "/media/d.png",
        "/media/e.png",
    ]


def issue_form(issue, body):
    return {
        "number": issue.number,
        "title": issue.title,
        "subtitle": issue.subtitle,
        "body": body,
        "status": issue.status,
        "on_web": "on",
        "by_email": "on",
        "published_at_0": "2026-01-05",
        "published_at_1": "10:00:00",
    }


def test_saving_warns_about_images_without_alt_text_but_saves(client, site, author):
    issue = IssueFactory(status=Status.DRAFT)
    body = "![](/media/uploads/2026/one.png)\n\n![A diagram](/media/uploads/2026/two.png)"

    response = client.post(url(issue, "change"), issue_form(issue, body))

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.body == body
    warnings = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "1 image has no alt text" in warnings[0]
    assert "/media/uploads/2026/one.png" in warnings[0]
    assert "two.png" not in warnings[0]


def test_saving_with_described_images_gives_no_warning(client, site, author):
    issue = IssueFactory(status=Status.DRAFT)
    response = client.post(url(issue, "change"), issue_form(issue, "![A diagram](/media/x.png)"))
    assert response.status_code == 302
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


@pytest.mark.parametrize("model", [Post, Release, Issue])
def test_long_forms_have_save_buttons_on_top_too(client, site, author, model):
    opts = model._meta
    html = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).content.decode()
    assert html.count('name="_save"') == 2


@pytest.mark.parametrize("object_id", ["abc", "9223372036854775808", "-1"])
def test_autosave_and_compare_of_a_bad_address_are_404s(client, site, author, object_id):
    assert client.post(f"/admin/blog/post/{object_id}/autosave/", {"body": "x"}).status_code == 404
    compare = f"/admin/blog/post/{object_id}/history/compare/?from=1&to=current"
    assert client.get(compare).status_code == 404
