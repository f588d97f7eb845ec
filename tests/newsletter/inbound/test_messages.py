"""Reading what comes back (newsletter.inbound.messages) and `process_bounce`: each kind in
the corpus under mail/ (Postfix, Gmail, Exchange, Exim and qmail bounces, ARF complaints,
auto-replies, a reader's reply, garbage), applied as the mailbox poller applies them."""

import io
import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from newsletter import tokens
from newsletter.inbound import messages, return_path
from newsletter.models import Delivery, MailEvent, Subscriber, UnrecognisedMail
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

MAIL = Path(__file__).parent / "mail"

# file: (kind, failed recipient)
CORPUS = {
    "postfix-user-unknown.eml": ("hard", "ada@reader.example.org"),
    "gmail-no-such-user.eml": ("hard", "grace.hopper@gmail.example"),
    "exchange-mailbox-full.eml": ("soft", "linus@corp.example.net"),
    "exim-unrouteable.eml": ("hard", "barbara@unrouteable.example"),
    "qmail-no-mailbox.eml": ("hard", "edsger@qmail.host.example"),
    "arf-complaint.eml": ("complaint", "margaret@mail.example"),
    "arf-redacted.eml": ("complaint", "katherine@fbl.example.net"),
    "out-of-office.eml": ("auto-reply", "ada@reader.example.org"),
    "vacation-no-header.eml": ("auto-reply", "linus@corp.example.net"),
    "postfix-delayed.eml": ("soft", "ada@reader.example.org"),
    "reader-reply.eml": ("unknown", ""),
    "garbage.eml": ("unknown", ""),
}
READERS = sorted({recipient for _, recipient in CORPUS.values() if recipient})


@pytest.fixture
def readers():
    """Every address in the corpus, as subscribers the site has emailed."""
    return {
        address: SubscriberFactory(email=address, confirmation_sent_at=timezone.now())
        for address in READERS
    }


def raw(name: str) -> bytes:
    return (MAIL / name).read_bytes()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_message_of_the_corpus_is_read_as_what_it_is(name):
    kind, recipient = CORPUS[name]
    reading = messages.read(raw(name))
    if kind == "unknown":
        assert reading.findings == []
        assert reading.unusable
        return
    assert [(f.kind, f.recipient) for f in reading.findings] == [(kind, recipient)]


def test_every_file_under_mail_is_in_the_corpus_table():
    assert sorted(path.name for path in MAIL.glob("*.eml")) == sorted(CORPUS)


def test_a_hard_bounce_suppresses_the_reader(readers):
    [result] = messages.handle(raw("postfix-user-unknown.eml"), source="mailbox")
    ada = Subscriber.objects.get(email="ada@reader.example.org")
    assert (result.kind, result.subscriber, result.applied) == ("hard", ada.pk, True)
    assert ada.status == Subscriber.Status.BOUNCED
    assert ada.suppressed_at is not None
    assert ada.suppression_reason == (
        "Hard bounce: 550 5.1.1 <ada@reader.example.org>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )
    event = MailEvent.objects.get()
    assert (event.source, event.kind, event.subscriber) == ("mailbox", "hard", ada)


def test_a_soft_bounce_counts_without_suppressing(readers):
    [result] = messages.handle(raw("exchange-mailbox-full.eml"), source="mailbox")
    linus = Subscriber.objects.get(email="linus@corp.example.net")
    assert (result.kind, result.applied) == ("soft", True)
    assert result.reason.startswith("soft bounce 1 of")
    assert linus.suppressed_at is None
    assert linus.status == Subscriber.Status.ACTIVE


def test_a_complaint_unsubscribes_and_suppresses(readers):
    [result] = messages.handle(raw("arf-complaint.eml"), source="mailbox")
    margaret = Subscriber.objects.get(email="margaret@mail.example")
    assert result.applied
    assert margaret.status == Subscriber.Status.UNSUBSCRIBED
    assert margaret.suppressed_at


def test_an_auto_reply_is_stored_and_changes_nothing(readers):
    [result] = messages.handle(raw("out-of-office.eml"), source="mailbox")
    assert (result.kind, result.applied) == ("auto-reply", False)
    assert MailEvent.objects.get().kind == "auto-reply"
    assert not Subscriber.objects.filter(suppressed_at__isnull=False).exists()
    assert not UnrecognisedMail.objects.exists()


@pytest.mark.parametrize("name", ["reader-reply.eml", "garbage.eml"])
def test_what_is_not_feedback_is_kept_aside_and_changes_nothing(readers, name):
    [result] = messages.handle(raw(name), source="mailbox")
    assert (result.kind, result.applied, result.subscriber) == ("unknown", False, None)
    kept = UnrecognisedMail.objects.get()
    assert bytes(kept.raw) == raw(name)
    assert kept.source == "mailbox"
    assert kept.reason
    assert not MailEvent.objects.exists()
    assert not Subscriber.objects.filter(suppressed_at__isnull=False).exists()


def test_a_bounce_about_an_address_never_emailed_is_recorded_as_unrecognised():
    SubscriberFactory(email="ada@reader.example.org", confirmation_sent_at=None)
    [result] = messages.handle(raw("postfix-user-unknown.eml"), source="mailbox")
    assert (result.subscriber, result.applied) == (None, False)
    assert UnrecognisedMail.objects.get().reason.startswith("hard: no subscriber matched")
    assert Subscriber.objects.get().suppressed_at is None


def test_the_same_bounce_read_twice_has_one_effect(readers):
    first = messages.handle(raw("exchange-mailbox-full.eml"), source="mailbox")
    again = messages.handle(raw("exchange-mailbox-full.eml"), source="mailbox")
    assert first[0].applied
    assert not again[0].applied
    assert again[0].reason == "already applied"
    assert MailEvent.objects.count() == 1


def test_a_dry_run_writes_nothing(readers):
    [result] = messages.handle(raw("postfix-user-unknown.eml"), source="file", dry_run=True)
    assert (result.kind, result.applied) == ("hard", True)
    assert not MailEvent.objects.exists()
    assert not UnrecognisedMail.objects.exists()
    assert not Subscriber.objects.filter(suppressed_at__isnull=False).exists()


def bounce_to(envelope: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "MAILER-DAEMON@mx.example.net"
    message["To"] = envelope
    message["Subject"] = "Returned mail"
    message["Message-ID"] = "<nondescript-1@mx.example.net>"
    message.set_content(body)
    return message.as_bytes()


def test_a_bounce_that_quotes_nothing_is_matched_by_its_return_path(settings):
    settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@blog.example.com"
    reader = SubscriberFactory(email="quiet@example.net")
    delivery = Delivery.objects.create(
        issue=IssueFactory(), subscriber=reader, status="sent", sent_at=timezone.now()
    )
    envelope = return_path.for_delivery(delivery.pk)
    [result] = messages.handle(bounce_to(envelope, "Sorry, it failed: 550 5.7.1"), source="mailbox")
    assert (result.kind, result.subscriber, result.applied) == ("hard", reader.pk, True)
    assert MailEvent.objects.get().delivery == delivery


def test_a_forged_return_path_matches_nobody(settings):
    settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@blog.example.com"
    SubscriberFactory(email="quiet@example.net")
    forged = "bounces+d1-0000000000@blog.example.com"
    [result] = messages.handle(bounce_to(forged, "failed"), source="mailbox")
    assert result.kind == "unknown"
    assert not result.applied
    assert not Subscriber.objects.filter(suppressed_at__isnull=False).exists()


def unsubscribe_mail(subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = "someone@example.net"
    message["To"] = "unsubscribe@blog.example.com"
    message["Subject"] = subject
    message["Message-ID"] = "<unsub-1@example.net>"
    message.set_content("")
    return message.as_bytes()


def test_a_mailto_unsubscribe_with_its_token_unsubscribes():
    reader = SubscriberFactory(email="leaving@example.net")
    token = tokens.unsubscribe_token(reader)
    [result] = messages.handle(unsubscribe_mail(f"unsubscribe {token}"), source="mailbox")
    assert (result.kind, result.subscriber, result.applied) == ("unsubscribe", reader.pk, True)
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED


def test_an_unsubscribe_without_a_valid_token_is_kept_for_the_author():
    reader = SubscriberFactory(email="leaving@example.net")
    [result] = messages.handle(unsubscribe_mail(f"unsubscribe {reader.pk}.x:forged"), source="m")
    assert (result.kind, result.applied) == ("unknown", False)
    assert "without a valid token" in UnrecognisedMail.objects.get().reason
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE


def test_an_enormous_message_is_kept_unread(settings):
    settings.NEWSLETTER_UNRECOGNISED_MAX_BYTES = 1000
    [result] = messages.handle(raw("gmail-no-such-user.eml"), source="mailbox")
    assert result.kind == "unknown"
    kept = UnrecognisedMail.objects.get()
    assert kept.reason.startswith("too large")
    assert len(bytes(kept.raw)) == 1000


def process_bounce(*args) -> list[dict]:
    out = io.StringIO()
    call_command("process_bounce", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_process_bounce_prints_one_json_object_per_file(readers):
    names = ["postfix-user-unknown.eml", "out-of-office.eml", "garbage.eml"]
    lines = process_bounce(*(str(MAIL / name) for name in names))
    ada = readers["ada@reader.example.org"]
    assert lines == [
        {"file": str(MAIL / names[0]), "kind": "hard", "recipient": ada.email,
         "subscriber": ada.pk, "applied": True},
        {"file": str(MAIL / names[1]), "kind": "auto-reply", "recipient": ada.email,
         "subscriber": ada.pk, "applied": False},
        {"file": str(MAIL / names[2]), "kind": "unknown", "recipient": "",
         "subscriber": None, "applied": False},
    ]  # fmt: skip


def test_process_bounce_dry_run_changes_nothing(readers):
    [line] = process_bounce("--dry-run", str(MAIL / "arf-complaint.eml"))
    assert (line["kind"], line["applied"]) == ("complaint", True)
    assert not MailEvent.objects.exists()
    assert Subscriber.objects.get(email="margaret@mail.example").status == "active"


def test_process_bounce_refuses_a_missing_file_before_reading_any(readers):
    with pytest.raises(CommandError, match="No such file"):
        process_bounce(str(MAIL / "postfix-user-unknown.eml"), "/nonexistent.eml")
    assert not MailEvent.objects.exists()
