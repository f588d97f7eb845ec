"""The links in emails: confirm (GET shows a button, POST confirms) and unsubscribe (one
POST, RFC 8058). Tokens are signed, single-purpose and, for confirmation, expiring."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletter import subscriptions, tokens
from newsletter.models import Subscriber
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def confirm_url(subscriber):
    return reverse("newsletter:confirm", args=[tokens.confirm_token(subscriber)])


def unsubscribe_url(subscriber):
    return reverse("newsletter:unsubscribe", args=[tokens.unsubscribe_token(subscriber)])


@pytest.fixture
def pending(site):
    return SubscriberFactory(email="new@example.com", status=Subscriber.Status.PENDING)


def test_following_the_link_shows_a_button_and_changes_nothing(client, pending):
    for method in (client.get, client.head):
        response = method(confirm_url(pending))
        assert response.status_code == 200
    html = client.get(confirm_url(pending)).content.decode()
    assert "Confirm subscription" in html
    assert 'method="post"' in html
    assert "new@example.com" in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert Subscriber.objects.get(pk=pending.pk).status == "pending"


def test_the_post_confirms(pending):
    client = Client(enforce_csrf_checks=True)
    url = confirm_url(pending)
    html = client.get(url).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(url, {"csrfmiddlewaretoken": token}, follow=True)
    assert response.redirect_chain == [(reverse("newsletter:confirmed"), 302)]
    assert "You are subscribed" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "active"
    assert pending.confirmed_at is not None
    # Used again: nothing more happens, and the page says so.
    assert "You are subscribed" in client.get(url).content.decode()


def test_confirmation_links_expire_after_seven_days(client, pending):
    url = confirm_url(pending)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        response = client.post(url)
    assert response.status_code == 404
    assert "does not work any more" in response.content.decode()
    assert Subscriber.objects.get(pk=pending.pk).status == "pending"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature
        lambda t: "9" + t,  # another id
        lambda t: t.split(":")[0],  # no signature
        lambda t: "nothing",
    ],
)
def test_tampered_links_do_nothing(client, pending, mangle):
    token = mangle(tokens.confirm_token(pending))
    assert client.post(reverse("newsletter:confirm", args=[token])).status_code == 404
    token = mangle(tokens.unsubscribe_token(pending))
    assert client.post(reverse("newsletter:unsubscribe", args=[token])).status_code == 404
    assert Subscriber.objects.get(pk=pending.pk).status == "pending"


def test_tokens_are_single_purpose(client, pending):
    swapped = reverse("newsletter:confirm", args=[tokens.unsubscribe_token(pending)])
    assert client.post(swapped).status_code == 404
    swapped = reverse("newsletter:unsubscribe", args=[tokens.confirm_token(pending)])
    assert client.post(swapped).status_code == 404
    assert Subscriber.objects.get(pk=pending.pk).status == "pending"


def test_an_old_confirmation_link_cannot_bring_back_someone_who_left(client, pending):
    old_link = confirm_url(pending)
    client.post(old_link)
    Subscriber.objects.get(pk=pending.pk).unsubscribe()
    assert client.post(old_link).status_code == 404
    assert Subscriber.objects.get(pk=pending.pk).status == "unsubscribed"

    subscriptions.signup("new@example.com")  # signs up again: a new link is needed
    assert client.post(old_link).status_code == 404
    assert Subscriber.objects.get(pk=pending.pk).status == "pending"
    assert client.post(confirm_url(Subscriber.objects.get(pk=pending.pk))).status_code == 302
    assert Subscriber.objects.get(pk=pending.pk).status == "active"


def test_one_click_unsubscribe_post_needs_no_cookie_or_csrf_token(site):
    subscriber = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_url(subscriber),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert subscriber.unsubscribed_at is not None
    # Again (a client retrying): still fine, still unsubscribed.
    assert client.post(unsubscribe_url(subscriber)).status_code == 200


def test_unsubscribe_page_shows_a_button_and_changes_nothing(client, site):
    subscriber = SubscriberFactory(email="leaving@example.com")
    response = client.get(unsubscribe_url(subscriber))
    html = response.content.decode()
    assert response.status_code == 200
    assert "leaving@example.com" in html
    assert '<button type="submit">Unsubscribe</button>' in html
    assert Subscriber.objects.get(pk=subscriber.pk).status == "active"


def test_unsubscribe_link_for_an_erased_subscriber_does_not_hit_a_new_one(client, site):
    erased = SubscriberFactory()
    url = unsubscribe_url(erased)
    pk = erased.pk
    erased.delete()
    newcomer = SubscriberFactory(pk=pk, email="newcomer@example.com")
    assert client.post(url).status_code == 404
    assert Subscriber.objects.get(pk=newcomer.pk).status == "active"


def test_pages_behind_links_keep_the_content_security_policy(client, pending):
    for url in (confirm_url(pending), unsubscribe_url(pending), reverse("newsletter:thanks")):
        response = client.get(url)
        html = response.content.decode()
        assert "style=" not in html, url
        assert "<script" not in html, url
        assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_expired_pending_signups_are_deleted_by_the_daily_command(site, capsys):
    old = timezone.now() - datetime.timedelta(days=8)
    with time_machine.travel(old, tick=False):
        stale = SubscriberFactory(status=Subscriber.Status.PENDING)
        Subscriber.objects.filter(pk=stale.pk).update(confirmation_sent_at=old)
        never_sent = SubscriberFactory(status=Subscriber.Status.PENDING)
        active = SubscriberFactory()
    fresh = SubscriberFactory(status=Subscriber.Status.PENDING)
    Subscriber.objects.filter(pk=fresh.pk).update(confirmation_sent_at=timezone.now())
    # A re-request a day ago keeps an old row alive.
    with time_machine.travel(old, tick=False):
        renewed = SubscriberFactory(status=Subscriber.Status.PENDING)
    Subscriber.objects.filter(pk=renewed.pk).update(
        confirmation_sent_at=timezone.now() - datetime.timedelta(days=1)
    )

    call_command("delete_expired_signups", "--dry-run")
    assert "2 pending signup(s)" in capsys.readouterr().out
    call_command("delete_expired_signups")
    assert "Deleted 2 pending signup(s) older than 7 days." in capsys.readouterr().out
    remaining = set(Subscriber.objects.values_list("pk", flat=True))
    assert remaining == {active.pk, fresh.pk, renewed.pk}
    assert stale.pk not in remaining
    assert never_sent.pk not in remaining
