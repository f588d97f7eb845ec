"""A confirmation email the mail server refuses: the reason shows in the admin, and the
author can send it again at once (the resend throttle counts only accepted emails).

The mail server is a real SMTP server on loopback (aiosmtpd) answering 550 to the
recipient; the email goes out through the django-tasks-db worker, as in production."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from lxml import html as lxml_html

from newsletter import subscriptions
from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db

ADDRESS = "nobody@example.net"
REFUSAL = "550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown"
CHANGELIST = "admin:newsletter_subscriber_changelist"


@pytest.fixture
def author(client):
    user = get_user_model().objects.create_superuser("author", "author@example.com", "pw")
    client.force_login(user)
    return user


def text_of(response, xpath):
    page = lxml_html.fromstring(response.content.decode())
    return [" ".join(el.text_content().split()) for el in page.xpath(xpath)]


def resend(client, subscriber):
    response = client.post(
        reverse(CHANGELIST),
        {"action": "resend_confirmation", "_selected_action": [subscriber.pk]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_a_refused_confirmation_shows_its_reason_and_can_be_sent_again_at_once(
    client, site, author, smtp, run_worker
):
    smtp.refuse[ADDRESS] = REFUSAL
    subscriptions.signup(ADDRESS)
    run_worker()
    assert smtp.to(ADDRESS) == []

    subscriber = Subscriber.objects.get(email=ADDRESS)
    assert subscriber.status == Subscriber.Status.PENDING  # still waiting for a good email
    assert subscriber.confirmation_error == REFUSAL
    assert subscriber.confirmation_failed_at is not None

    # The list: a column with the failure and the server's words, and a filter for them.
    listing = client.get(reverse(CHANGELIST))
    [cell] = text_of(listing, '//td[contains(@class, "field-confirmation")]')
    assert cell.startswith("Not delivered (")
    assert cell.endswith(f"): {REFUSAL}")
    failed = client.get(reverse(CHANGELIST), {"confirmation": "failed"})
    assert [s.email for s in failed.context["cl"].result_list] == [ADDRESS]

    # The change page says the same.
    change = client.get(reverse("admin:newsletter_subscriber_change", args=[subscriber.pk]))
    [field] = text_of(
        change,
        '//div[contains(concat(" ", @class, " "), " field-confirmation ")]//div[@class="readonly"]',
    )
    assert REFUSAL in field

    # The address is fixed at the other end; the author sends it again right away.
    del smtp.refuse[ADDRESS]
    [message] = resend(client, subscriber)
    assert message.startswith("Sending 1 confirmation email(s).")
    assert "already had one" not in message
    run_worker()
    [confirmation] = smtp.to(ADDRESS)
    assert "Confirm your subscription" in confirmation["Subject"]

    subscriber.refresh_from_db()
    assert subscriber.confirmation_error == ""
    assert subscriber.confirmation_failed_at is None
    [cell] = text_of(
        client.get(reverse(CHANGELIST)), '//td[contains(@class, "field-confirmation")]'
    )
    assert cell.startswith("Sent ")


def test_an_accepted_confirmation_still_counts_for_the_throttle(
    client, site, author, smtp, run_worker
):
    subscriptions.signup(ADDRESS)
    run_worker()
    assert len(smtp.to(ADDRESS)) == 1
    [message] = resend(client, Subscriber.objects.get(email=ADDRESS))
    assert message.startswith("Sending 0 confirmation email(s) (1 already had one")
    run_worker()
    assert len(smtp.to(ADDRESS)) == 1


def test_a_temporary_refusal_is_retried_and_shown_meanwhile(
    client, site, author, smtp, run_worker, settings
):
    smtp.refuse[ADDRESS] = "451 4.3.0 Try again later"
    subscriptions.signup(ADDRESS)
    run_worker()  # the retry waits for its back-off, so this run ends after the first try
    subscriber = Subscriber.objects.get(email=ADDRESS)
    assert subscriber.confirmation_failed_at is None
    assert subscriber.confirmation_error.startswith("451 4.3.0 Try again later (trying again at ")
    [cell] = text_of(
        client.get(reverse(CHANGELIST)), '//td[contains(@class, "field-confirmation")]'
    )
    assert cell.startswith("Not delivered yet: 451 4.3.0 Try again later")
    # A retry is on its way: asking again does not queue a second email.
    [message] = resend(client, subscriber)
    assert "1 already had one" in message


def test_correcting_a_refused_address_sends_a_confirmation_to_the_new_one(
    client, site, author, smtp, run_worker
):
    smtp.refuse[ADDRESS] = REFUSAL
    subscriptions.signup(ADDRESS)
    run_worker()
    subscriber = Subscriber.objects.get(email=ADDRESS)
    response = client.post(
        reverse("admin:newsletter_subscriber_change", args=[subscriber.pk]),
        {"email": "nobody@example.org", "name": "", "status": "pending", "source": "website"},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert "a confirmation email is on its way to nobody@example.org." in messages[0]
    run_worker()
    [confirmation] = smtp.to("nobody@example.org")
    assert "Confirm your subscription" in confirmation["Subject"]
    subscriber.refresh_from_db()
    assert subscriber.confirmation_failed_at is None
    assert subscriber.confirmation_error == ""
