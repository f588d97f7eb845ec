"""How fast does an issue go out? db_worker processes against a plain smtplib loop.

    .venv/bin/python scripts/bench_send.py                  # 10,000 subscribers, SQLite
    .venv/bin/python scripts/bench_send.py --count 5000 --workers 1 2 --rounds 5
    .venv/bin/python scripts/bench_send.py --database-url postgres://postgres@127.0.0.1/bench
    .venv/bin/python scripts/bench_send.py --baseline /tmp/old-tree   # before/after
    .venv/bin/python scripts/bench_send.py --profile                  # where the time goes

Starts a local SMTP sink (aiosmtpd's Sink handler, in its own process, accepting and
discarding everything), creates a scratch database with N active subscribers, sets a
bounce address (so every message carries its own return path, as in production) and
measures, in rounds:

1. **smtplib loop**: the N messages the worker sends (the same bytes and return paths),
   built beforehand, sent in a bare loop over one `smtplib.SMTP` connection: the
   transport's ceiling;
2. **worker**: for each `--workers` count, a fresh issue sent the way production sends it:
   "send to subscribers" (one INSERT … SELECT of N deliveries, the tasks enqueued) and that
   many `manage.py db_worker` processes, already started, sharing it. The time runs from
   the start of sending to the last row's `sent_at`.

The runs alternate within each round (the machine is shared: load that comes and goes
hits both alike); each figure is the median over the rounds, and each ratio the median of
the per-round ratios to that round's bare loop. `--baseline TREE` also runs the workers of
another checkout of the project (e.g. `git archive <rev> | tar -x -C TREE`) in the same
rounds, for before/after figures. For context, the loop is also run once building each
message with Django's EmailMessage API (what the worker avoids on SMTP).

`--profile` instead sends one issue with one worker in this process under cProfile and
prints where the time went.

SQLite is a fresh file in a temporary folder; with --database-url the database is created
and dropped (it must not exist). Nothing of the project's own data is touched.
"""

import argparse
import os
import secrets
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOUNCE_ADDRESS = "bounces@example.com"


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
    """The settings of this process, inherited by the worker processes."""
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
            "NEWSLETTER_BATCH_SIZE": str(batch_size),
            "NEWSLETTER_BOUNCE_ADDRESS": BOUNCE_ADDRESS,
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


BODY = (
    "## This week\n\nA paragraph about **cold starts**, with [a link](/posts/x/) and "
    "`inline code`.\n\n```python\ndef handler(event, context):\n    return 42\n```\n\n"
    "- one\n- two\n- three\n\n> A quote to end with.\n"
)


def seed(count: int) -> None:
    from django.core.management import call_command

    from core.models import SiteSettings
    from newsletter.models import Subscriber

    call_command("migrate", verbosity=0, interactive=False)
    SiteSettings.objects.update_or_create(
        pk=1, defaults={"author_name": "Ada Example", "newsletter_name": "Warm Start"}
    )
    Subscriber.objects.create_many(
        (
            Subscriber(email=f"reader{i:06d}@example.com", status=Subscriber.Status.ACTIVE)
            for i in range(count)
        ),
        batch_size=2000,
    )


def new_issue():
    """A fresh issue for each run (the same body, so every run sends the same bytes)."""
    from django.db.models import Max

    from newsletter.models import Issue

    number = (Issue.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    return Issue.objects.create(number=number, status="published", subtitle="Bench", body=BODY)


def start_workers(n: int, tree: Path) -> list[subprocess.Popen]:
    """`n` db_worker processes of the project in `tree`, each up and polling."""
    env = {**os.environ, "NEWSLETTER_SEND_TASKS": str(n)}
    workers = []
    for index in range(n):
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.05", "--worker-id", f"bench{index}"],
            cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        line = process.stdout.readline()
        if "Starting worker" not in line:
            raise SystemExit(f"A worker did not start: {line}{process.stdout.read()}")
        workers.append(process)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for process in workers:
        process.terminate()
    for process in workers:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bench_workers(n: int, count: int, tree: Path) -> float:
    """Seconds from "send to subscribers" to the last row marked sent, with `n` workers."""
    from django.conf import settings
    from django.db.models import Max
    from django.utils import timezone

    from newsletter import sending

    settings.NEWSLETTER_SEND_TASKS = n  # the tasks enqueued here, one per worker
    issue = new_issue()
    workers = start_workers(n, tree)
    try:
        started = timezone.now()
        sending.start_sending(issue)
        deadline = time.monotonic() + 30 + count / 20
        while issue.delivery_counts()["done"] < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"The workers stalled: {issue.delivery_counts()}")
            if any(process.poll() is not None for process in workers):
                raise SystemExit("A worker exited while sending.")
            time.sleep(0.1)
    finally:
        stop_workers(workers)
    counts = issue.delivery_counts()
    if counts["sent"] != count:
        raise SystemExit(f"The workers sent {counts['sent']} of {count}: {counts}")
    finished = issue.deliveries.aggregate(last=Max("sent_at"))["last"]
    return (finished - started).total_seconds()


def bench_smtplib(port: int, build_in_loop: bool) -> tuple[float, int]:
    import email.policy

    from newsletter import emails
    from newsletter.inbound import return_path
    from newsletter.models import Subscriber

    rendered = emails.render_issue(new_issue())
    people = list(Subscriber.objects.active().order_by("pk"))

    def build(subscriber):
        message = rendered.for_subscriber(subscriber, subscriber.pk)
        return message.message(policy=email.policy.SMTP).as_bytes()

    # What the worker sends (see RenderedIssue.wire_bytes), built before timing.
    senders = [return_path.for_delivery(s.pk) for s in people]
    prebuilt = None if build_in_loop else [rendered.wire_bytes(s, s.pk) for s in people]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for index, subscriber in enumerate(people):
            data = build(subscriber) if build_in_loop else prebuilt[index]
            smtp.sendmail(senders[index], [subscriber.email], data)
    return time.perf_counter() - started, len(people)


def profile(count: int) -> None:
    """One issue, one worker in this process, under cProfile."""
    import cProfile
    import pstats

    from django.core.management import call_command

    from newsletter import sending

    issue = new_issue()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    sending.start_sending(issue)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    profiler.disable()
    seconds = time.perf_counter() - started
    print(f"{count:,} messages in {seconds:.2f} s under the profiler ({count / seconds:,.0f}/s)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def measure(args, port: int) -> dict[str, list[float]]:
    """Seconds per run, by series, the series alternating within each round."""
    series = [(f"{n} worker{'s' if n > 1 else ''}", n, ROOT) for n in args.workers]
    if args.baseline:
        series += [(f"{n} baseline", n, Path(args.baseline)) for n in args.workers]
    times: dict[str, list[float]] = {"loop": [], **{label: [] for label, _, _ in series}}
    for round_number in range(args.rounds):
        times["loop"].append(bench_smtplib(port, build_in_loop=False)[0])
        # Swap the order every round, so no series always runs right after another.
        ordered = series if round_number % 2 == 0 else series[::-1]
        for label, n, tree in ordered:
            times[label].append(bench_workers(n, args.count, tree))
        done = {label: f"{args.count / runs[-1]:,.0f}/s" for label, runs in times.items()}
        print(f"  round {round_number + 1}: {done}", flush=True)
    return times


def report(args, times: dict[str, list[float]], build_seconds: float) -> None:
    from django.db import connection

    count = args.count
    print(f"\nSending one issue to {count:,} subscribers through a local SMTP sink")
    print(
        f"(database: {connection.vendor}, worker batch size {args.batch_size}, return paths "
        f"on, medians of {args.rounds} interleaved rounds)\n"
    )
    loop = times["loop"]
    loop_rate = count / statistics.median(loop)
    print(f"  {'plain smtplib loop, messages pre-built':<40} {loop_rate:8,.0f} messages/s")
    for label, runs in times.items():
        if label == "loop":
            continue
        rate = count / statistics.median(runs)
        ratio = statistics.median(b / w for b, w in zip(loop, runs, strict=True))
        print(f"  {'db_worker, ' + label:<40} {rate:8,.0f} messages/s  {ratio:5.2f}× the loop")
    print(f"  {'smtplib loop + Django EmailMessage each':<40} {count / build_seconds:8,.0f}"
          " messages/s (once)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="subscribers (10,000)")
    parser.add_argument(
        "--batch-size", type=int, default=500, help="worker batch size (500, the default)"
    )
    parser.add_argument(
        "--database-url", help="a PostgreSQL URL for a scratch database (default: SQLite file)"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="(1 2)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument("--baseline", help="another checkout whose workers to measure too")
    parser.add_argument("--profile", action="store_true", help="profile one in-process worker")
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
                seed(args.count)
                if args.profile:
                    return profile(args.count)
                times = measure(args, port)
                build_seconds, _ = bench_smtplib(port, build_in_loop=True)
            finally:
                scratch()
        finally:
            sink.terminate()
            sink.wait()
    report(args, times, build_seconds)


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
