"""Real `manage.py db_worker` processes on PostgreSQL: two at once on one issue, and one
killed with SIGKILL halfway through. Needs PostgreSQL (row locks with SKIP LOCKED, and a
database that separate processes share); CI runs the suite there."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from newsletter import sending
from newsletter.models import Delivery, Subscriber
from tests.factories import IssueFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: SKIP LOCKED row locks and a database shared by processes "
        "(run with DATABASE_URL=postgres://…; CI does)",
    ),
    pytest.mark.django_db(transaction=True),
]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(name: str, smtp_port: int, **env) -> subprocess.Popen:
    """A db_worker process on the test database, sending to the loopback SMTP server."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SITE_URL": settings.SITE_URL,
        "LOG_LEVEL": "WARNING",
        **{key: str(value) for key, value in env.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.1", "--worker-id", name],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    line = process.stdout.readline()  # "Starting worker worker_id=…" once it is up
    assert "Starting worker" in line, line + process.stdout.read()
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def make_subscribers(n: int) -> list[Subscriber]:
    return Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{i:04d}@example.com", status=Subscriber.Status.ACTIVE)
        for i in range(n)
    )


def assert_each_got_exactly_one(smtp, people):
    counts = smtp.counts()
    assert {s.email: counts[s.email] for s in people} == {s.email: 1 for s in people}
    assert sum(counts.values()) == len(people)


def test_two_workers_send_one_issue_to_500_without_duplicates_or_gaps(site, smtp_server):
    people = make_subscribers(500)
    issue = IssueFactory()
    smtp_server.delay = 0.002  # a server that takes its time, so both workers overlap
    env = {"NEWSLETTER_BATCH_SIZE": 20, "NEWSLETTER_SEND_TASKS": 8}
    workers = [start_worker(f"w{n}", smtp_server.port, **env) for n in (1, 2)]
    try:
        sending.start_sending(issue)
        wait_until(lambda: issue.delivery_counts()["done"] == 500, 30, "all 500 sent")
    finally:
        for worker in workers:
            stop(worker)

    assert issue.delivery_counts()["sent"] == 500
    assert_each_got_exactly_one(smtp_server, people)
    # Both really sent: every row records the process that claimed it.
    pids = {
        claimed.split(":")[1] for claimed in issue.deliveries.values_list("claimed_by", flat=True)
    }
    assert pids == {str(worker.pid) for worker in workers}


def test_a_worker_killed_mid_issue_is_taken_over_after_its_lease(site, smtp_server):
    people = make_subscribers(200)
    issue = IssueFactory()
    env = {"NEWSLETTER_BATCH_SIZE": 25, "NEWSLETTER_LEASE_SECONDS": 2}
    smtp_server.hold_at = 101  # the 101st message waits for an answer that never comes
    first = start_worker("doomed", smtp_server.port, **env)
    try:
        sending.start_sending(issue)
        assert smtp_server.holding.wait(30), "the worker never reached message 101"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    smtp_server.release.set()

    counts = issue.delivery_counts()
    assert counts["sent"] == 100
    assert len(smtp_server.messages) == 100
    # The killed worker's batch, still leased to it.
    stranded = set(issue.deliveries.filter(status="sending").values_list("pk", flat=True))
    assert stranded

    second = start_worker("survivor", smtp_server.port, **env)
    try:
        wait_until(lambda: issue.delivery_counts()["done"] == 200, 30, "the rest sent")
    finally:
        stop(second)
    assert issue.delivery_counts()["sent"] == 200
    assert_each_got_exactly_one(smtp_server, people)
    takers = Delivery.objects.filter(pk__in=stranded).values_list("claimed_by", flat=True)
    assert {claimed.split(":")[1] for claimed in takers} == {str(second.pid)}
