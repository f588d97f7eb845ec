"""Development email (core.mail): what `make run` writes to var/worker.log reads as text."""

import io
import re

import pytest
from django.core.mail import EmailMultiAlternatives

from core.mail import ConsoleEmailBackend
from newsletter import emails
from newsletter.models import Subscriber
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def printed(*messages) -> str:
    stream = io.StringIO()
    assert ConsoleEmailBackend(stream=stream).send_messages(list(messages)) == len(messages)
    return stream.getvalue()


def test_a_confirmation_email_prints_links_that_work_when_pasted(site, client):
    site.newsletter_name = "Café Notes – a long name, so the subject needs folding"
    site.save()
    subscriber = SubscriberFactory(email="new@example.com", status=Subscriber.Status.PENDING)
    message = emails.confirmation_message(subscriber)
    out = printed(message)

    # Nothing of the wire format: no soft line breaks, no =3D, no encoded words.
    assert "=\n" not in out
    assert "=3D" not in out
    assert "=?utf-8?" not in out.lower()
    assert "Content-Transfer-Encoding" not in out
    lines = out.splitlines()
    assert f"Subject: Confirm your subscription to {site.newsletter_name}" in lines
    assert "To: new@example.com" in lines
    assert "Someone, hopefully you, asked to receive Café Notes" in out

    # The confirmation link is whole: pasted into a browser, it opens the confirm page.
    (confirm_url,) = re.findall(r"^http://\S+/newsletter/confirm/\S+$", out, re.MULTILINE)
    assert confirm_url in message.body
    response = client.get(confirm_url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    assert "new@example.com" in response.content.decode()
    # So is the unsubscribe link, in the body and in the List-Unsubscribe header.
    (header,) = [line for line in lines if line.startswith("List-Unsubscribe:")]
    (unsubscribe_url,) = re.findall(r"<(http://[^>]+)>", header)
    assert f"{unsubscribe_url}\n" in out
    assert client.get(unsubscribe_url.removeprefix("http://127.0.0.1:8000")).status_code == 200
    # The HTML version is mentioned, not dumped.
    assert re.search(r"^\[HTML version: [\d.]+ (bytes|kB), not shown\]$", out, re.MULTILINE)
    assert "<html" not in out.lower()
    assert out.endswith("-" * 79 + "\n")


def test_html_only_messages_and_attachments_are_shown_readably():
    html_only = EmailMultiAlternatives("Hi", to=["a@example.com"])
    html_only.attach_alternative("<p>Only <b>HTML</b> here, ünïcode</p>", "text/html")
    with_file = EmailMultiAlternatives("Report", "See the file.", to=["a@example.com"])
    with_file.attach("report.csv", "a,b\n" * 600, "text/csv")
    out = printed(html_only, with_file)
    assert "[text/html part]\n<p>Only <b>HTML</b> here, ünïcode</p>" in out
    assert "See the file." in out
    assert "[attachment report.csv: text/csv, 2.4 kB]" in out
    assert out.count("-" * 79) == 2


def test_plain_addresses_go_out_without_being_parsed_and_others_as_smtplib_writes_them(
    smtp, monkeypatch
):
    """core.mail.PlainAddressCommands: MAIL FROM and RCPT TO carry a plain address as it is
    (smtplib's parser is skipped), and any other address the way smtplib quotes it."""
    import email.utils

    parsed = []
    parseaddr = email.utils.parseaddr
    monkeypatch.setattr(
        email.utils, "parseaddr", lambda value, **kw: parsed.append(value) or parseaddr(value)
    )
    plain = EmailMultiAlternatives(
        "Hi", "Hello", "bounces+d1-abc@blog.example", ["ada@example.com"]
    )
    assert plain.send() == 1
    assert parsed == []
    assert smtp.envelope_senders == [("ada@example.com", "bounces+d1-abc@blog.example")]

    quoted = EmailMultiAlternatives("Hi", "Hello", "blog@blog.example", ['"ada l"@example.com'])
    assert quoted.send() == 1
    assert parsed == ['"ada l"@example.com']
    assert smtp.envelope_senders[-1] == ('"ada l"@example.com', "blog@blog.example")
    assert [recipient for recipient, _ in smtp.messages] == [
        "ada@example.com",
        '"ada l"@example.com',
    ]
