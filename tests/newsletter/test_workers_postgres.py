"""Real `manage.py db_worker` processes on PostgreSQL: two at once on one issue, and one
killed with SIGKILL halfway through. Needs PostgreSQL (row locks with SKIP LOCKED, and a
database that separate processes share); CI runs the suite there."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mailings import project_topics, release_alerts
from newsletter import sending, tasks
from newsletter.models import Delivery, Subscriber
from tests.factories import IssueFactory, ProjectFactory, ReleaseFactory

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
    return Subscriber.objects.create_many(
        Subscriber(email=f"reader{i:04d}@example.com", status=Subscriber.Status.ACTIVE)
        for i in range(n)
    )


def assert_each_got_exactly_one(smtp, people):
    counts = smtp.counts()
    assert {s.email: counts[s.email] for s in people} == {s.email: 1 for s in people}
    assert sum(counts.values()) == len(people)


def test_two_workers_send_one_issue_to_500_without_duplicates_or_gaps(site, smtp_server, settings):
    people = make_subscribers(500)
    issue = IssueFactory()
    smtp_server.delay = 0.002  # a server that takes its time, so both workers overlap
    env = {"NEWSLETTER_BATCH_SIZE": 20, "NEWSLETTER_SEND_TASKS": 8}
    # The runs enqueued here (one per batch, up to the tasks) follow the same settings.
    settings.NEWSLETTER_BATCH_SIZE, settings.NEWSLETTER_SEND_TASKS = 20, 8
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


# Losing the database: what a worker sees while PostgreSQL restarts -----------------------


class Output(threading.Thread):
    """Collects a worker's output lines as they come."""

    def __init__(self, process: subprocess.Popen):
        super().__init__(daemon=True)
        self.process = process
        self.lines: list[str] = []
        self.start()

    def run(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextlib.contextmanager
def database_cut_off():
    """The test database refuses new connections and every open one but this test's is
    terminated (`pg_terminate_backend`, as a shutting-down server does): what a worker
    sees while PostgreSQL restarts, without restarting the server other tests use."""
    import psycopg

    db = connection.settings_dict
    name = connection.ops.quote_name(db["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        ours = cursor.fetchone()[0]
    # From the maintenance database: a database cannot refuse its own connections.
    admin = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    try:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> %s",
            [db["NAME"], ours],
        )
        yield
    finally:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        admin.close()


def status(result) -> str:
    return DBTaskResult.objects.get(pk=result.id).status


def assert_rode_it_out(worker: subprocess.Popen, output: Output) -> None:
    assert worker.poll() is None, output.text  # still running
    assert output.count("Lost the database") == 1, output.text
    assert output.count("back after") == 1, output.text
    assert "Traceback" not in output.text


def test_a_worker_idle_while_the_database_is_gone_reconnects_and_sends(site, smtp_server):
    worker = start_worker("idle", smtp_server.port, LOG_LEVEL="INFO")
    output = Output(worker)
    try:
        with database_cut_off():
            wait_until(lambda: output.count("Lost the database"), 15, "the worker to notice")
            # A signup arrives meanwhile, through a web process's open connection.
            subscriber = Subscriber.objects.create(email="new@example.com")
            result = tasks.send_confirmation.enqueue(subscriber.pk)
            time.sleep(2)  # some reconnection attempts fail (0.5 s, then 1 s, …)
            assert worker.poll() is None, output.text
        wait_until(lambda: smtp_server.counts()["new@example.com"], 30, "the confirmation")
        wait_until(lambda: status(result) == "SUCCESSFUL", 10, "the result")
        assert_rode_it_out(worker, output)
    finally:
        stop(worker)
    assert smtp_server.counts() == {"new@example.com": 1}


def test_a_task_finished_while_the_database_was_gone_is_recorded_not_run_again(site, smtp_server):
    smtp_server.hold_at = 1  # the confirmation waits in the SMTP exchange
    worker = start_worker("sending", smtp_server.port, LOG_LEVEL="INFO")
    output = Output(worker)
    try:
        subscriber = Subscriber.objects.create(email="waiting@example.com")
        result = tasks.send_confirmation.enqueue(subscriber.pk)
        assert smtp_server.holding.wait(30), output.text
        with database_cut_off():
            smtp_server.release.set()  # accepted: the task is done, its result not saved
            wait_until(lambda: output.count("Lost the database"), 15, "the worker to notice")
            time.sleep(1)
        wait_until(lambda: status(result) == "SUCCESSFUL", 30, "the result")
        # The worker goes on with the next task, and never ran this one again.
        tasks.send_confirmation.enqueue(Subscriber.objects.create(email="next@example.com").pk)
        wait_until(lambda: smtp_server.counts()["next@example.com"], 30, "the next email")
        assert_rode_it_out(worker, output)
    finally:
        stop(worker)
    assert smtp_server.counts() == {"waiting@example.com": 1, "next@example.com": 1}


def test_losing_the_database_mid_issue_sends_each_message_once(site, smtp_server):
    people = make_subscribers(60)
    issue = IssueFactory()
    smtp_server.hold_at = 26  # the 26th message waits for an answer
    # A lease short enough that a row left `sending` would be sent again within the test.
    env = {"NEWSLETTER_BATCH_SIZE": 20, "NEWSLETTER_LEASE_SECONDS": 20, "LOG_LEVEL": "INFO"}
    worker = start_worker("issue", smtp_server.port, **env)
    output = Output(worker)
    try:
        sending.start_sending(issue)
        assert smtp_server.holding.wait(30), output.text
        with database_cut_off():
            smtp_server.release.set()  # accepted; marking it sent finds no database
            wait_until(lambda: output.count("Lost the database"), 15, "the worker to notice")
            time.sleep(1.5)
        wait_until(lambda: issue.delivery_counts()["done"] == 60, 60, "all 60 sent")
        assert_rode_it_out(worker, output)
    finally:
        stop(worker)
    assert issue.delivery_counts()["sent"] == 60
    assert_each_got_exactly_one(smtp_server, people)


def test_a_scheduled_release_alert_reaches_each_follower_once_across_a_killed_worker(
    site, smtp_server
):
    """The release alerts issue's promise on the real machinery: the alert of a release
    scheduled a few seconds ahead is started by the worker when its time arrives; the worker
    is killed mid-send; a second one finishes; saving the release again sends nothing."""
    people = make_subscribers(200)
    project = ProjectFactory(name="Killable")
    membership = Subscriber.topics.through
    topic = project_topics.topic_for(project)
    membership.objects.bulk_create(membership(subscriber=s, topic=topic) for s in people)
    release = ReleaseFactory(
        project=project, version="9.0.0", published_at=timezone.now() + timedelta(seconds=3)
    )
    alert = release_alerts.alert_for(release)
    assert alert.send_at is not None
    assert alert.sending_started_at is None
    env = {"NEWSLETTER_BATCH_SIZE": 25, "NEWSLETTER_LEASE_SECONDS": 2}
    smtp_server.hold_at = 101
    first = start_worker("doomed", smtp_server.port, **env)
    try:
        assert smtp_server.holding.wait(30), "the alert never started at its time"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    smtp_server.release.set()
    second = start_worker("survivor", smtp_server.port, **env)
    try:
        wait_until(lambda: alert.delivery_counts()["done"] == 200, 30, "the alert finished")
        release.notes += "\n- Edited after the release.\n"
        release.save()
        time.sleep(1)
    finally:
        stop(second)
    assert alert.delivery_counts()["sent"] == 200
    assert_each_got_exactly_one(smtp_server, people)
