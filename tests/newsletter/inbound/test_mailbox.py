"""The bounce mailbox against a real IMAP server (Dovecot on loopback, tests/dovecot.py):
messages read, applied and moved to the processed folder, a poison message kept aside,
a lost server retried with back-off and shown on /readyz, one poll chain however many
workers start, and the poll_bounce_mailbox command."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.signals import worker_started
from newsletter import tasks
from newsletter.inbound import mailbox, polling
from newsletter.models import MailboxPoller, MailEvent, Subscriber, UnrecognisedMail
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db(transaction=True)

MAIL = Path(__file__).parent / "mail"


def raw(name: str) -> bytes:
    return (MAIL / name).read_bytes()


@pytest.fixture
def configured(dovecot, settings):
    settings.NEWSLETTER_BOUNCE_MAILBOX_URL = dovecot.url()
    settings.NEWSLETTER_BOUNCE_PROCESSED_FOLDER = "Processed"
    return dovecot


@pytest.fixture
def ada():
    return SubscriberFactory(email="ada@reader.example.org", confirmation_sent_at=timezone.now())


def test_a_poll_applies_each_message_and_moves_it_to_the_processed_folder(configured, ada):
    for name in ("postfix-user-unknown.eml", "out-of-office.eml", "reader-reply.eml"):
        configured.append(raw(name))
    summary = mailbox.poll()
    assert summary.as_dict() == {
        "read": 3,
        "kinds": {"auto-reply": 1, "hard": 1, "unknown": 1},
        "applied": 1,
        "too_large": 0,
        "failed": 0,
        "remaining": 0,
    }
    assert configured.messages("INBOX") == []
    moved = configured.messages("Processed")
    assert len(moved) == 3
    assert b"Undelivered Mail Returned to Sender" in moved[0]
    ada.refresh_from_db()
    assert ada.status == Subscriber.Status.BOUNCED
    assert sorted(MailEvent.objects.values_list("kind", "source")) == [
        ("auto-reply", "mailbox"),
        ("hard", "mailbox"),
    ]
    assert UnrecognisedMail.objects.get().subject.startswith("Re: Issue 1")


def test_a_poison_message_is_kept_aside_and_the_poll_goes_on(configured, ada, settings):
    settings.NEWSLETTER_UNRECOGNISED_MAX_BYTES = 4000
    configured.append(b"Subject: huge\r\nFrom: x@example.net\r\n\r\n" + b"A" * 10000 + b"\r\n")
    configured.append(raw("postfix-user-unknown.eml"))
    summary = mailbox.poll()
    assert (summary.read, summary.too_large, summary.applied) == (2, 1, 1)
    [aside] = [name for name in configured.folders() if name.endswith("Unprocessable")]
    assert aside.startswith("Processed")  # under it, with the server's delimiter
    assert len(configured.messages(aside)) == 1
    assert len(configured.messages("Processed")) == 1
    kept = UnrecognisedMail.objects.get()
    assert kept.subject == "huge"
    assert len(bytes(kept.raw)) == 4000
    ada.refresh_from_db()
    assert ada.suppressed_at is not None


def test_reading_twice_after_a_lost_move_has_one_effect(configured, ada):
    configured.append(raw("exchange-mailbox-full.eml"))
    mailbox.poll(dry_run=True)
    assert len(configured.messages("INBOX")) == 1
    assert not MailEvent.objects.exists()
    configured.append(raw("exchange-mailbox-full.eml"))  # the same bounce, twice
    SubscriberFactory(email="linus@corp.example.net", confirmation_sent_at=timezone.now())
    summary = mailbox.poll()
    assert (summary.read, summary.applied) == (2, 1)
    assert MailEvent.objects.filter(kind="soft").count() == 1


def test_a_lost_server_is_retried_with_back_off_and_reported_on_readyz(configured, ada, client):
    enqueued = []
    assert polling.ensure_chain(lambda chain, at: enqueued.append((chain, at)))
    chain = enqueued[-1][0]
    configured.append(raw("postfix-user-unknown.eml"))
    configured.stop()
    try:
        first = polling.run(chain, lambda chain, at: enqueued.append((chain, at)))
        assert not first["ok"]
        assert "ConnectionRefusedError" in first["error"]
        second = polling.run(enqueued[-1][0], lambda chain, at: enqueued.append((chain, at)))
        assert second["failures"] == 2
        delays = [(at - start).total_seconds() for (_, start), (_, at) in zip(
            [(c, timezone.now()) for c, _ in enqueued[1:]], enqueued[1:], strict=True)]  # fmt: skip
        assert 25 <= delays[0] <= 30
        assert 55 <= delays[1] <= 60
        body = client.get("/readyz").content.decode()
        assert body.startswith("ok\nbounce mailbox: failing since ")
        assert "(2 in a row)" in body
    finally:
        configured.start()
    third = polling.run(enqueued[-1][0], lambda chain, at: enqueued.append((chain, at)))
    assert third["ok"]
    assert third["summary"]["applied"] == 1
    row = MailboxPoller.objects.get()
    assert (row.consecutive_failures, row.failing_since, row.last_error) == (0, None, "")
    assert client.get("/readyz").content.decode().startswith("ok\nbounce mailbox: ok, last poll")


def test_a_wrong_password_is_a_failure_not_a_crash(configured, settings):
    settings.NEWSLETTER_BOUNCE_MAILBOX_URL = configured.url().replace("s3cret", "wrong")
    with pytest.raises(mailbox.MailboxUnavailable, match=r"LOGIN|AUTHENTICATIONFAILED"):
        mailbox.poll()


def test_one_poll_chain_however_many_workers_start(configured):
    worker_started.send(sender=None)
    worker_started.send(sender=None)
    queued = DBTaskResult.objects.filter(task_path="newsletter.tasks.poll_bounce_mailbox")
    assert queued.count() == 1
    [chain] = queued.get().args_kwargs["args"]
    assert MailboxPoller.objects.get().chain == chain
    assert polling.run("not-the-live-chain", tasks.enqueue_mailbox_poll) == {
        "skipped": "another chain polls the mailbox"
    }
    result = polling.run(chain, tasks.enqueue_mailbox_poll)
    assert result["ok"]
    assert queued.count() == 2  # the next link
    assert MailboxPoller.objects.get().chain != chain


def test_no_chain_without_a_mailbox(settings, client):
    settings.NEWSLETTER_BOUNCE_MAILBOX_URL = ""
    worker_started.send(sender=None)
    assert not DBTaskResult.objects.exists()
    assert client.get("/readyz").content == b"ok"


def test_the_command_reads_once_and_says_what_it_found(configured, ada):
    configured.append(raw("postfix-user-unknown.eml"))
    out = io.StringIO()
    call_command("poll_bounce_mailbox", "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["kinds"] == {"hard": 1}
    assert len(configured.messages("INBOX")) == 1
    call_command("poll_bounce_mailbox", stdout=out)
    assert configured.messages("INBOX") == []


def test_the_command_explains_a_bad_url(settings):
    settings.NEWSLETTER_BOUNCE_MAILBOX_URL = "pop3://user:pass@host/"
    with pytest.raises(CommandError, match="imap:// or imaps://"):
        call_command("poll_bounce_mailbox")
