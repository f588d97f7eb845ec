"""How fast does an issue go out? One db_worker against a plain smtplib loop.

    .venv/bin/python scripts/bench_send.py                  # 10,000 subscribers, SQLite
    .venv/bin/python scripts/bench_send.py --count 2000
    .venv/bin/python scripts/bench_send.py --database-url postgres://postgres@127.0.0.1/bench

Starts a local SMTP sink (aiosmtpd's Sink handler, in its own process, accepting and
discarding everything), creates a scratch database with N active subscribers and one
issue, then measures:

1. **worker**: the issue sent the way production sends it: "send to subscribers" (one
   INSERT … SELECT of N deliveries, one task enqueued) and one `db_worker` run that claims
   batches, renders each message and marks each row sent after the server accepted it;
2. **smtplib loop**: the same N messages (the bytes the worker sends), built beforehand,
   sent in a bare loop over one `smtplib.SMTP` connection to the same sink: the
   transport's ceiling;
3. for context, that loop when it builds each message with Django's EmailMessage API
   instead (what the worker avoids on SMTP, see RenderedIssue.wire_bytes).

SQLite is a fresh file in a temporary folder; with --database-url the database is created
and dropped (it must not exist). Nothing of the project's own data is touched.
"""

import argparse
import os
import secrets
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=1) as probe:
                probe.noop()
            return sink
        except OSError:
            time.sleep(0.05)
    sink.kill()
    raise SystemExit("The SMTP sink did not start.")


def configure(database_url: str, port: int, batch_size: int) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # Production mode, as a real worker runs: no query log kept in memory.
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": database_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "NEWSLETTER_SEND_TASKS": "1",
            "NEWSLETTER_BATCH_SIZE": str(batch_size),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(count: int):
    from django.core.management import call_command

    from core.models import SiteSettings
    from newsletter.models import Issue, Subscriber

    call_command("migrate", verbosity=0, interactive=False)
    SiteSettings.objects.update_or_create(
        pk=1, defaults={"author_name": "Ada Example", "newsletter_name": "Warm Start"}
    )
    Subscriber.objects.bulk_create(
        (
            Subscriber(email=f"reader{i:06d}@example.com", status=Subscriber.Status.ACTIVE)
            for i in range(count)
        ),
        batch_size=2000,
    )
    body = (
        "## This week\n\nA paragraph about **cold starts**, with [a link](/posts/x/) and "
        "`inline code`.\n\n```python\ndef handler(event, context):\n    return 42\n```\n\n"
        "- one\n- two\n- three\n\n> A quote to end with.\n"
    )
    return Issue.objects.create(number=1, status="published", subtitle="Benchmark", body=body)


def bench_worker(issue, count: int) -> float:
    from django.core.management import call_command

    from newsletter import sending

    started = time.perf_counter()
    sending.start_sending(issue)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    elapsed = time.perf_counter() - started
    counts = issue.delivery_counts()
    if counts["sent"] != count:
        raise SystemExit(f"The worker sent {counts['sent']} of {count}: {counts}")
    return elapsed


def bench_smtplib(issue, port: int, build_in_loop: bool) -> tuple[float, int]:
    import email.policy

    from newsletter import emails
    from newsletter.models import Subscriber

    rendered = emails.render_issue(issue)
    people = list(Subscriber.objects.active().order_by("pk"))
    sender = emails.from_address()

    def build(subscriber):
        message = rendered.for_subscriber(subscriber, subscriber.pk)
        return message.message(policy=email.policy.SMTP).as_bytes()

    # The bytes the worker sends (see RenderedIssue.wire_bytes), built before timing.
    prebuilt = None if build_in_loop else [rendered.wire_bytes(s, s.pk) for s in people]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for index, subscriber in enumerate(people):
            data = build(subscriber) if build_in_loop else prebuilt[index]
            smtp.sendmail(sender, [subscriber.email], data)
    return time.perf_counter() - started, len(people)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="subscribers (10,000)")
    parser.add_argument("--batch-size", type=int, default=100, help="worker batch size (100)")
    parser.add_argument(
        "--database-url", help="a PostgreSQL URL for a scratch database (default: SQLite file)"
    )
    args = parser.parse_args()

    port = free_port()
    sink = start_sink(port)
    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        os.environ["DJANGO_VAR_DIR"] = folder
        try:
            configure(database_url, port, args.batch_size)
            scratch = prepare_database(database_url)
            try:
                issue = seed(args.count)
                worker_seconds = bench_worker(issue, args.count)
                loop_seconds, n = bench_smtplib(issue, port, build_in_loop=False)
                build_seconds, _ = bench_smtplib(issue, port, build_in_loop=True)
            finally:
                scratch()
        finally:
            sink.terminate()
            sink.wait()

    from django.db import connection

    print(f"Sending one issue to {args.count:,} subscribers through a local SMTP sink")
    print(f"(database: {connection.vendor}, worker batch size {args.batch_size})\n")
    rows = [
        ("db_worker (1 worker)", args.count, worker_seconds),
        ("plain smtplib loop, messages pre-built", n, loop_seconds),
        ("smtplib loop + Django EmailMessage each", n, build_seconds),
    ]
    for label, messages, seconds in rows:
        print(f"  {label:<40} {messages / seconds:8,.0f} messages/s  ({seconds:6.2f} s)")
    print(f"\nThe worker runs at {loop_seconds / worker_seconds:.0%} of the bare loop's rate.")


def prepare_database(database_url: str):
    """Create the scratch PostgreSQL database (SQLite needs nothing); returns the cleanup."""
    if not database_url.startswith("postgres"):
        return lambda: None
    from django.db import connection

    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop():
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return drop


if __name__ == "__main__":
    main()
