"""The signup form: double opt-in, the same answer whatever the address's state, clear
errors for bad input, and CSRF. Its rate limit: test_signup_rate_limit.py."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletter import subscriptions
from newsletter.models import Subscriber
from tests.factories import PostFactory, SubscriberFactory
from tests.newsletter.signup_helpers import THANKS, URL, signup

pytestmark = pytest.mark.django_db


def test_signup_creates_a_pending_subscriber_and_sends_the_confirmation(
    client, site, mailoutbox, run_worker
):
    response = client.post(
        URL, {"email": "Reader@Example.COM ", "name": "Rea", "source": "home"}, follow=True
    )
    assert response.redirect_chain == [(THANKS, 302)]
    assert "Check your inbox" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Reader@example.com"
    assert (subscriber.name, subscriber.source) == ("Rea", "home")
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.confirmation_sent_at is not None

    run_worker()
    [message] = mailoutbox
    assert message.to == ["Reader@example.com"]
    assert message.subject == "Confirm your subscription to Warm Start"
    assert "/newsletter/confirm/" in message.body
    assert message.alternatives[0].mimetype == "text/html"


@pytest.mark.parametrize("status", ["pending", "active", "unsubscribed", "bounced", None])
def test_the_answer_is_the_same_whatever_the_address_state(client, site, status):
    if status:
        SubscriberFactory(email="reader@example.com", status=status)
    response = signup(client, "READER@example.com")
    assert response.status_code == 302
    assert response["Location"] == THANKS
    assert Subscriber.objects.count() == 1


def test_an_active_subscriber_gets_no_new_email(client, site, mailoutbox, run_worker):
    SubscriberFactory(email="reader@example.com", name="Original")
    signup(client, "Reader@example.com", name="Other")
    run_worker()
    assert mailoutbox == []
    subscriber = Subscriber.objects.get()
    assert (subscriber.status, subscriber.name) == ("active", "Original")


def test_a_pending_signup_gets_the_confirmation_again_at_most_every_ten_minutes(
    client, site, mailoutbox, run_worker
):
    signup(client)
    signup(client)
    run_worker()
    assert len(mailoutbox) == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=9), tick=False):
        signup(client)
        run_worker()
    assert len(mailoutbox) == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11), tick=False):
        signup(client)
        run_worker()
    assert len(mailoutbox) == 2


def test_unsubscribed_address_signing_up_again_must_confirm_again(
    client, site, mailoutbox, run_worker
):
    old = SubscriberFactory(email="reader@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    nonce = old.confirm_nonce
    signup(client)
    run_worker()
    old.refresh_from_db()
    assert old.status == Subscriber.Status.PENDING
    assert old.confirm_nonce != nonce  # earlier confirmation links are void
    assert len(mailoutbox) == 1


def test_two_signups_for_one_address_make_one_subscriber(site):
    subscriptions.signup("same@example.com")
    subscriptions.signup("SAME@example.com")
    assert Subscriber.objects.count() == 1


MALFORMED = [
    "plainaddress",
    "@example.com",
    "reader@",
    "reader@@example.com",
    "reader@example..com",
    "reader.@example.com",
    ".reader@example.com",
    "rea..der@example.com",
    "reader@-example.com",
    "reader@example-.com",
    "reader@example",
    "reader@localhost",
    "reader@[127.0.0.1]",
    "reader@[IPv6:::1]",
    "reader example@example.com",
    "reader@exa mple.com",
    "reader@example.com (comment)",
    "Reader <reader@example.com>",
    "<reader@example.com>",
    "reader@example.com,other@example.com",
    "reader@example.com;other@example.com",
    "reader\n@example.com",
    "reader@example.com\r\nBcc: victim@example.com",
    '"reader\x01"@example.com',
    "reader\x00@example.com",
    "reader@exam_ple.com",
    "reader@example.c",
    "reader@.example.com",
    "reader@example.com.",
    "reader()@example.com",
    "reader[]@example.com",
    "reader\\@example.com",
    "réader@",
    "a@b",
    "javascript:alert(1)@example.com",
    "reader@example.123",
]


@pytest.mark.parametrize("email", MALFORMED)
def test_malformed_addresses_get_a_clear_error_and_store_nothing(client, site, email):
    response = signup(client, email)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address, like name@example.com." in html
    assert "your signup was not saved" in html
    assert 'aria-invalid="true"' in html
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": ""}, "Enter your email address."),
        ({}, "Enter your email address."),
        ({"email": "x" * 250 + "@example.com"}, "Ensure this value has at most 254 characters"),
        ({"email": "x" * 5000 + "@example.com"}, "Enter a valid email address"),
        ({"email": "ok@example.com", "name": "n" * 101}, "at most 100 characters"),
        ({"email": "ok@example.com", "name": "n" * 100_000}, "at most 100 characters"),
        ({"email": "ok@example.com", "name": "Eve\r\nBcc: x@example.com"}, "control characters"),
        ({"email": "ok@example.com", "source": "s" * 101}, ""),
    ],
)
def test_missing_or_oversized_input_gets_a_clear_error_and_stores_nothing(
    client, site, data, message, mailoutbox
):
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "your signup was not saved" in html
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


def test_a_request_body_over_the_upload_limit_is_refused(client, site, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post(URL, {"email": "ok@example.com", "name": "n" * 20_000})
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_entered_values_are_kept_after_an_error(client, site):
    response = client.post(URL, {"email": "broken@", "name": "Sam"})
    html = response.content.decode()
    assert 'value="broken@"' in html
    assert 'value="Sam"' in html


def form_token_from(html: str) -> str:
    return html.split('name="form_token" value="')[1].split('"')[0]


def test_a_post_without_the_form_token_is_refused_and_stores_nothing(site):
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, {"email": "reader@example.com"})
    assert response.status_code == 403
    assert "reload the page" in response.content.decode()
    response = client.post(URL, {"email": "reader@example.com", "form_token": "forged:value"})
    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_a_post_from_another_site_is_refused(site):
    client = Client(enforce_csrf_checks=True)
    token = form_token_from(client.get(reverse("newsletter:index")).content.decode())
    data = {"email": "reader@example.com", "form_token": token}
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/page"},
    ):
        response = client.post(URL, data, headers=headers)
        assert response.status_code == 403, headers
        assert "only be sent from this site" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_an_old_form_token_is_refused(site, settings):
    client = Client(enforce_csrf_checks=True)
    token = form_token_from(client.get(reverse("newsletter:index")).content.decode())
    later = timezone.now() + datetime.timedelta(seconds=settings.PUBLIC_FORM_MAX_AGE + 60)
    with time_machine.travel(later, tick=False):
        response = client.post(URL, {"email": "reader@example.com", "form_token": token})
    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_the_form_posts_with_its_token_and_sets_no_cookie(site):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("newsletter:index"))
    assert not page.cookies  # the page can come from the shared cache
    response = client.post(
        URL,
        {"email": "reader@example.com", "form_token": form_token_from(page.content.decode())},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    )
    assert response.status_code == 302
    assert Subscriber.objects.filter(status="pending").count() == 1


def test_honeypot_filled_by_a_bot_stores_nothing_and_sends_nothing(
    client, site, mailoutbox, run_worker
):
    response = client.post(URL, {"email": "bot@example.com", "website": "http://spam"})
    assert response.status_code == 302
    assert response["Location"] == THANKS
    run_worker()
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


def test_signup_only_accepts_post(client, site):
    assert client.get(URL).status_code == 405


def test_signup_form_is_on_home_newsletter_and_post_pages(client, site):
    post = PostFactory()
    for url in ("/", reverse("newsletter:index"), post.get_absolute_url()):
        html = client.get(url).content.decode()
        assert f'action="{URL}"' in html, url
        assert 'name="form_token"' in html
        assert 'name="website"' in html  # the honeypot


def test_reader_count_shown_only_when_meaningful(client, site):
    SubscriberFactory.create_batch(2)
    SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    assert "readers" not in client.get("/").content.decode()
    SubscriberFactory()
    assert "Join 3 readers." in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("count", "text"), [(950, "950"), (1000, "1K"), (11_400, "11K"), (2_250, "2.2K"),
                        (1_250_000, "1.2M")]
)  # fmt: skip
def test_reader_count_is_shortened(count, text):
    from core.templatetags.site_tags import intword_short

    assert intword_short(count) == text


def test_every_place_showing_the_form_names_a_known_source():
    from pathlib import Path

    from newsletter.forms import SIGNUP_SOURCES

    templates = Path(__file__).resolve().parents[2] / "jinja2"
    used = set()
    for template in templates.rglob("*.html"):
        used |= set(re.findall(r'source="(\w+)"', template.read_text()))
    assert used
    assert used <= set(SIGNUP_SOURCES)


@pytest.mark.parametrize("source", ["<b>x</b>", "evil", "s" * 100])
def test_an_unknown_source_is_refused_and_the_form_can_be_sent_again(client, site, source):
    response = client.post(URL, {"email": "ok@example.com", "source": source})
    assert response.status_code == 400
    html = response.content.decode()
    assert "your signup was not saved" in html
    assert source not in html
    assert 'name="source" value="website"' in html
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("name", ["Eve\u2028Bcc", "Eve\u2029x", "Eve\u200bx", "Eve\u202ex"])
def test_names_must_be_plain_text(client, site, name):
    response = client.post(URL, {"email": "ok@example.com", "name": name})
    assert response.status_code == 400
    assert "letters" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_names_in_any_script_are_welcome(client, site):
    response = client.post(URL, {"email": "ok@example.com", "name": "Zoë 李 O'Brien-Åsa"})
    assert response.status_code == 302
    assert Subscriber.objects.get().name == "Zoë 李 O'Brien-Åsa"
