"""Previews of every kind of email before any send (newsletter.email_previews): issues,
digest drafts, posts by email (full and excerpt), release alerts, the welcome and the
confirmation; the HTML light and dark, the text part, the headers; the frame allowed only
here; staff only. And issues kept off the web (email-only) or never sent (web-only)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from newsletter import sending
from newsletter.models import Delivery, Issue
from tests.factories import (
    IssueFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db


def preview(kind, pk=0, scheme=None):
    url = reverse("admin:newsletter_email_preview", args=[kind, pk])
    return url + (f"?scheme={scheme}" if scheme else "")


def part(kind, pk, name):
    return reverse("admin:newsletter_email_part", args=[kind, pk, name])


@pytest.fixture
def things(site):
    site.email_new_posts = False
    site.save()
    issue = IssueFactory(number=8, title="Issue eight", status="draft")
    post = PostFactory(title="A post", slug="a-post", excerpt="Short.", published_at=timezone.now())
    release = ReleaseFactory(project=ProjectFactory(name="Lambda API"), version="0.9.0",
                             status="draft", summary="Fast.")  # fmt: skip
    return {"issue": issue.pk, "post-full": post.pk, "post-excerpt": post.pk,
            "release": release.pk, "welcome": 0, "confirmation": 0}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("issue", "Issue eight"),
        ("post-full", "A post"),
        ("post-excerpt", "Continue reading"),
        ("release", "Lambda API v0.9.0 released"),
        ("welcome", "Welcome to Warm Start"),
        ("confirmation", "Confirm your subscription"),
    ],
)
def test_every_kind_of_email_is_previewed_light_dark_and_text(admin_client, things, kind, expected):
    pk = things[kind]
    for scheme in (None, "dark"):
        page = admin_client.get(preview(kind, pk, scheme))
        assert page.status_code == 200
        assert "List-Unsubscribe" in page.content.decode() or kind == "confirmation"
    html = admin_client.get(part(kind, pk, "html"))
    dark = admin_client.get(part(kind, pk, "dark"))
    text = admin_client.get(part(kind, pk, "text"))
    assert expected in html.content.decode() + text.content.decode()
    assert "prefers-color-scheme: dark" in html.content.decode()
    assert "@media all" in dark.content.decode()
    assert text["Content-Type"].startswith("text/plain")
    # Framed by the preview page only; the email's inline styles allowed, no script at all.
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in html["Content-Security-Policy"]
    assert "script-src" not in html["Content-Security-Policy"]
    assert "sandbox" in html["Content-Security-Policy"]
    assert Delivery.objects.count() == 0  # nothing sent, nothing queued
    assert not Issue.objects.filter(kind__in=["post", "release"]).exists()  # nothing made


def test_previews_are_for_staff_and_unknown_kinds_are_a_404(client, admin_client, things):
    assert client.get(preview("welcome")).status_code == 302  # to the login page
    assert admin_client.get(preview("nonsense")).status_code == 404
    assert admin_client.get(preview("issue", 99999)).status_code == 404


def test_an_email_only_issue_is_sent_but_kept_off_the_web(client, site, smtp, run_worker):
    SubscriberFactory(email="reader@example.org")
    issue = IssueFactory(number=9, title="Just for you", on_web=False,
                         published_at=timezone.now() - datetime.timedelta(hours=1))  # fmt: skip
    assert client.get(issue.get_absolute_url()).status_code == 404
    archive = client.get(reverse("newsletter:index")).content.decode()
    assert "Just for you" not in archive
    assert "Just for you" not in client.get("/newsletter/feed/").content.decode()
    assert "Just for you" not in client.get("/").content.decode()
    sending.start_sending(issue)
    run_worker()
    [message] = smtp.to("reader@example.org")
    text = message.get_body(("plain",)).get_content()
    assert "View in your browser" not in text  # there is no page to view


def test_a_web_only_issue_is_never_sent(site):
    SubscriberFactory()
    issue = IssueFactory(number=10, by_email=False)
    with pytest.raises(sending.SendingError, match="web-only"):
        sending.start_sending(issue)
    assert Delivery.objects.count() == 0
