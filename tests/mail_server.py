"""A real SMTP server on loopback (aiosmtpd) that can misbehave on cue, and a way to run
the django-tasks-db worker in the test process: fixtures for every test that sends mail
(tests/conftest.py makes them available everywhere)."""

import asyncio
import email
import email.policy
import logging
import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker

from tests.network import free_port


class SMTPRecorder:
    """An aiosmtpd handler that keeps every accepted message, and can misbehave on cue:
    refuse recipients, drop the connection after N messages, or stay down."""

    def __init__(self):
        self.messages: list[tuple[str, bytes]] = []  # (recipient, raw message)
        self.envelope_senders: list[tuple[str, str]] = []  # (recipient, MAIL FROM)
        self.lock = threading.Lock()
        self.refuse: dict[str, str] = {}  # recipient -> reply to RCPT TO
        self.drop_after: int | None = None  # accepted messages before it drops a session
        self.stay_down = True  # after that, keep dropping every session (a crashed server)
        self.down = False
        self.delay = 0.0
        self.hold_at: int | None = None  # the message number to sit on without answering
        self.holding = threading.Event()  # set while a message is held
        self.release = threading.Event()
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold_at is not None and len(self.messages) + 1 >= self.hold_at:
            self.hold_at = None
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            if server.transport is None or server.transport.is_closing():
                return "421 gone"  # the client died waiting: it was never accepted
        with self.lock:
            dropping = self.down
            if self.drop_after is not None and len(self.messages) >= self.drop_after:
                dropping, self.down = True, self.stay_down
                self.drop_after = None
            if dropping:
                # Hang up without answering: the client never hears "250", as when a
                # server crashes or a provider cuts a session.
                server.transport.close()
                return "421 closing"
            for recipient in envelope.rcpt_tos:
                self.messages.append((recipient, envelope.content))
                self.envelope_senders.append((recipient, envelope.mail_from))
        return "250 OK"

    def recover(self):
        self.down = False
        self.drop_after = None

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """The messages received for `address`, parsed."""
        return [
            email.message_from_bytes(raw, policy=email.policy.default)
            for recipient, raw in self.messages
            if recipient == address
        ]

    def counts(self) -> Counter:
        return Counter(recipient for recipient, _ in self.messages)


@pytest.fixture
def smtp_server():
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    recorder = SMTPRecorder()
    recorder.port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port)
    controller.start()
    yield recorder
    controller.stop()


@pytest.fixture
def smtp(settings, smtp_server):
    """Django's mail goes over real SMTP to the loopback server (pytest-django's
    test environment had pointed MAILERS at the in-memory backend), through the backend
    every smtp:// EMAIL_URL gets (config.builders.mailer)."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "core.mail.SigningSMTPBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        }
    }
    return smtp_server


@pytest.fixture
def run_worker(monkeypatch):
    """Run django-tasks-db's worker until no task is due, in this process and inside the
    test's transaction. The worker closes "old" database connections between tasks, as a
    long-running process should; here that would close the test's own connection (on
    PostgreSQL, with CONN_MAX_AGE=0), so that step is skipped."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    return run
