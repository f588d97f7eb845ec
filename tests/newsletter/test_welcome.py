"""The welcome email (newsletter.welcome): once per subscriber when they confirm, the
author's Markdown with the latest issue linked, both parts, unsubscribe headers; never
twice, never when turned off, never to someone who left or was suppressed before it went.
A real SMTP server on loopback."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsletter import subscriptions, tokens
from newsletter.models import Subscriber
from tests.factories import IssueFactory, SubscriberFactory
from tests.plaintext_checks import assert_no_markdown

pytestmark = pytest.mark.django_db

WELCOME = "Hello and **thank you**.\n\nStart with [the archive](/newsletter/), or reply to me."


@pytest.fixture
def welcoming(site):
    site.welcome_email = WELCOME
    site.save()
    return site


@pytest.fixture
def pending():
    return SubscriberFactory(email="new.reader@example.org", status=Subscriber.Status.PENDING)


def confirm(client, subscriber):
    url = reverse("newsletter:confirm", args=[tokens.confirm_token(subscriber)])
    assert client.post(url).status_code == 302


def welcomes(smtp, address):
    return [m for m in smtp.to(address) if m["Subject"].startswith("Welcome to")]


def test_confirming_sends_one_welcome_with_the_latest_issue(
    client, welcoming, pending, smtp, run_worker
):
    IssueFactory(number=3, title="Older notes", published_at=timezone.now() - timedelta(days=9))
    latest = IssueFactory(
        number=4,
        title="Cold starts, measured",
        published_at=timezone.now() - timedelta(days=2),
    )
    IssueFactory(number=5, title="Next week", published_at=timezone.now() + timedelta(days=5))
    confirm(client, pending)
    run_worker()

    [message] = welcomes(smtp, pending.email)
    assert message["Subject"] == "Welcome to Warm Start"
    text = message.get_body(("plain",)).get_content()
    assert "Hello and thank you." in text
    assert "Start with the archive (http://127.0.0.1:8000/newsletter/), or reply to me." in text
    assert "The latest issue, #4: Cold starts, measured" in text
    assert f"http://127.0.0.1:8000{latest.get_absolute_url()}" in text
    assert "Older notes" not in text
    assert_no_markdown(text.split("----")[0])
    html = message.get_body(("html",)).get_content()
    assert "<strong>thank you</strong>" in html
    assert f'href="http://127.0.0.1:8000{latest.get_absolute_url()}"' in html
    unsubscribe_url = message["List-Unsubscribe"].split(">")[0].lstrip("<")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    pending.refresh_from_db()
    assert pending.welcomed_at is not None

    # The one-click link in the welcome works like an issue's.
    assert client.post(unsubscribe_url.removeprefix("http://127.0.0.1:8000")).status_code == 200
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.UNSUBSCRIBED


def test_a_subscriber_is_welcomed_once_however_often_they_come_back(
    client, welcoming, pending, smtp, run_worker
):
    confirm(client, pending)
    confirm(client, pending)  # the button pressed twice: nothing more to confirm
    run_worker()
    pending.refresh_from_db()
    pending.unsubscribe()
    subscriptions.signup(pending.email)  # back again: pending, a new confirmation
    pending.refresh_from_db()
    confirm(client, pending)
    run_worker()
    assert len(welcomes(smtp, pending.email)) == 1


def test_no_welcome_when_the_author_turned_it_off(client, welcoming, pending, smtp, run_worker):
    welcoming.welcome_email_enabled = False
    welcoming.save()
    confirm(client, pending)
    run_worker()
    assert welcomes(smtp, pending.email) == []
    pending.refresh_from_db()
    assert pending.welcomed_at is None


@pytest.mark.parametrize("meanwhile", ["unsubscribed", "suppressed", "erased"])
def test_no_welcome_to_someone_gone_before_it_went(
    client, welcoming, pending, smtp, run_worker, meanwhile
):
    confirm(client, pending)
    if meanwhile == "unsubscribed":
        Subscriber.objects.get(pk=pending.pk).unsubscribe()
    elif meanwhile == "suppressed":
        Subscriber.objects.filter(pk=pending.pk).update(suppressed_at=timezone.now())
    else:
        Subscriber.objects.filter(pk=pending.pk).delete()
    run_worker()
    assert welcomes(smtp, pending.email) == []


def test_without_any_issue_the_welcome_links_none(client, welcoming, pending, smtp, run_worker):
    confirm(client, pending)
    run_worker()
    [message] = welcomes(smtp, pending.email)
    assert "The latest issue" not in message.get_body(("plain",)).get_content()


def test_the_site_settings_page_edits_the_welcome(admin_client, welcoming):
    html = admin_client.get(reverse("admin:core_sitesettings_change")).content.decode()
    assert 'name="welcome_email_enabled"' in html
    assert 'name="welcome_email"' in html
