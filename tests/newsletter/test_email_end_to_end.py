"""The whole newsletter over a real SMTP server on loopback (aiosmtpd), not the in-memory
backend: signup, confirmation email, confirm, an issue sent by the worker, one-click
unsubscribe, and the next issue not sent to whoever left."""

import re

import pytest
from django.urls import reverse

from newsletter import sending
from newsletter.models import Delivery, Subscriber
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def link_in(message, pattern: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"http://\S+{pattern}\S+/", text).group(0)


def path_of(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def test_signup_confirm_send_unsubscribe_and_the_next_issue(client, site, smtp, run_worker):
    others = SubscriberFactory.create_batch(3)
    SubscriberFactory(email="pending@example.com", status=Subscriber.Status.PENDING)

    # Sign up: a pending subscriber, then the confirmation email over SMTP.
    response = client.post(reverse("newsletter:subscribe"), {"email": "Ada@Example.org"})
    assert response.status_code == 302
    assert Subscriber.objects.get(email="Ada@example.org").status == "pending"
    run_worker()
    [confirmation] = smtp.to("Ada@example.org")
    assert "Confirm your subscription" in confirmation["Subject"]
    assert confirmation.get_body(("html",)) is not None

    # The link shows a button (GET changes nothing); the POST confirms.
    confirm_path = path_of(link_in(confirmation, "/newsletter/confirm/"))
    page = client.get(confirm_path)
    assert "Confirm subscription" in page.content.decode()
    assert Subscriber.objects.get(email="Ada@example.org").status == "pending"
    assert client.post(confirm_path).status_code == 302
    assert Subscriber.objects.get(email="Ada@example.org").status == "active"

    # Issue 1 goes to every active subscriber exactly once, with the right headers.
    issue = IssueFactory(number=1, body="Hello **readers**.\n\n[A link](/posts/x/)\n")
    assert sending.start_sending(issue) == 4
    run_worker()
    counts = smtp.counts()
    assert {address: counts[address] for address in counts if address != "Ada@example.org"} == {
        s.email: 1 for s in others
    }
    [ada_issue] = [m for m in smtp.to("Ada@example.org") if "Issue #1" in m["Subject"]]
    assert "pending@example.com" not in counts
    assert ada_issue["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url, mailto = re.findall(r"<([^>]+)>", ada_issue["List-Unsubscribe"])
    assert unsubscribe_url.startswith("http://127.0.0.1:8000/newsletter/unsubscribe/")
    assert mailto.startswith("mailto:")
    plain = ada_issue.get_body(("plain",)).get_content()
    html = ada_issue.get_body(("html",)).get_content()
    assert "Hello readers." in plain  # the text part is text, not Markdown
    assert "A link (http://127.0.0.1:8000/posts/x/)" in plain
    assert "<strong" in html
    assert "readers" in html
    assert 'href="http://127.0.0.1:8000/posts/x/"' in html  # links made absolute
    assert "http://127.0.0.1:8000/newsletter/issues/1/" in html  # view in browser
    assert unsubscribe_url in html
    assert unsubscribe_url in plain
    assert 'name="color-scheme"' in html
    assert issue.delivery_counts()["sent"] == 4

    # One-click unsubscribe, as a mail client does it: a POST with no cookie, no CSRF token.
    response = client.post(
        path_of(unsubscribe_url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscriber.objects.get(email="Ada@example.org").status == "unsubscribed"

    # Issue 2 reaches the others, not her.
    before = len(smtp.to("Ada@example.org"))
    sending.start_sending(IssueFactory(number=2))
    run_worker()
    assert len(smtp.to("Ada@example.org")) == before
    assert all(smtp.counts()[s.email] == 2 for s in others)
    assert not Delivery.objects.filter(subscriber__email="Ada@example.org", issue__number=2)
