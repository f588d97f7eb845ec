"""Fault test: restart PostgreSQL under load, while readers sign up and email goes out.

    .venv/bin/python scripts/fault_test.py [--seconds 40] [--subscribers 2000]

Runs against a PostgreSQL cluster of its own (initdb into a temporary folder, on a free
port, sockets in that folder; as the `postgres` user when run as root), so the server
other work on the machine uses is never touched. Needs PostgreSQL's server binaries
(`pg_config --bindir`, or /usr/lib/postgresql/<version>/bin) and wrk. It:

1. creates the cluster and a database, migrates it, seeds the demo content, adds
   `--subscribers` active subscribers and one published issue;
2. starts a recording SMTP server on loopback, gunicorn with production settings and one
   `manage.py db_worker` (never restarted: it has to ride out both restarts itself);
3. runs wrk against the home page and a loop of newsletter signups (each from its own
   address, via X-Forwarded-For), whose confirmation emails the worker sends;
4. restarts PostgreSQL (`pg_ctl restart -m fast`) while the worker is idle (only the
   confirmations trickle in), then sends the issue and restarts it again once a third of
   the issue is out;
5. measures for each restart how long the database was down, how long after it was back
   the site answered 200 on /readyz (target: under 5 s) and the next email reached the
   SMTP server; and checks that every signup answered with success is stored and got
   one confirmation, every subscriber got the issue exactly once, and the worker still
   runs.

Prints a JSON report and exits non-zero when a check fails.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from aiosmtpd.controller import Controller
from fault_traffic import SIGNUP_PREFIX, Recorder, Signups
from private_postgres import PrivateCluster, free_port, run

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "blog_fault"


def environment(port: int, database_url: str, smtp_port: int) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return {
        **base,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "fault-test-only-" + "f" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_VAR_DIR": str(Path(tempfile.gettempdir()) / f"blog-fault-var-{port}"),
        "DATABASE_URL": f"{database_url}/{DATABASE}",
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": "",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "TRUSTED_PROXY_COUNT": "1",
        "NEWSLETTER_SIGNUP_RATE_LIMIT": "1000",
        "GUNICORN_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
    }


def rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def answers(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError:
        return False


def readyz_after(base: str, back_at: float) -> float | None:
    # /readyz needs the database (the home page may come from the page cache).
    if wait_for(lambda: answers(base + "/readyz"), 60):
        return round(time.monotonic() - back_at, 2)
    return None


PREPARE = """
import datetime
from django.utils import timezone
from core.models import Status
from newsletter.models import Issue, Subscriber
number = Issue.next_number()
Subscriber.objects.create_many(
    Subscriber(email=f"fault-reader-{i:05d}@example.com", status=Subscriber.Status.ACTIVE)
    for i in range({count})
)
issue = Issue.objects.create(
    number=number, title="Fault test", body="Sent while the database restarts.",
    status=Status.PUBLISHED, published_at=timezone.now() - datetime.timedelta(minutes=1),
)
print(issue.pk)
"""

SEND = "from newsletter import sending; from newsletter.models import Issue; " \
       "print(sending.start_sending(Issue.objects.get(pk={pk})))"  # fmt: skip

EXPECTED = (
    "import json; from newsletter.models import Delivery; print(json.dumps(list("
    "Delivery.objects.filter(issue_id={pk}).values_list('subscriber__email', flat=True))))"
)

STORED = (
    "import json; from newsletter.models import Subscriber; "
    "print(json.dumps(list(Subscriber.objects.filter(email__startswith='{prefix}')"
    ".values_list('email', flat=True))))"
)


def log_message(line: str) -> str:
    """The message of one line of the worker's log (JSON lines in production)."""
    try:
        entry = json.loads(line)
    except ValueError:
        return line
    return f"{entry.get('level')} {entry.get('logger')}: {entry.get('message')}"


def shell(env, code: str) -> str:
    return run(sys.executable, "manage.py", "shell", "-c", code, cwd=ROOT, env=env).stdout


def last_json(output: str):
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=40, help="length of the wrk run")
    parser.add_argument("--restart-after", type=int, default=10, help="first restart (idle)")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--smtp-delay", type=float, default=0.003, help="seconds per message")
    options = parser.parse_args()

    cluster = PrivateCluster()
    recorder = Recorder(options.smtp_delay)
    smtp = Controller(recorder, hostname="127.0.0.1", port=free_port())
    port = free_port()
    env = environment(port, cluster.url, smtp.port)
    base = env["SITE_URL"]
    python = sys.executable
    processes: list[subprocess.Popen] = []
    worker_log = cluster.folder / "worker.log"
    report: dict = {}
    try:
        cluster.create()
        run(str(cluster.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port),
            "-U", "postgres", DATABASE)  # fmt: skip
        run(python, "manage.py", "migrate", "--no-input", "-v0", cwd=ROOT, env=env)
        run(python, "manage.py", "seed_demo", cwd=ROOT, env=env)
        run(python, "manage.py", "collectstatic", "--no-input", "-v0", cwd=ROOT, env=env)
        issue_pk = int(shell(env, PREPARE.replace("{count}", str(options.subscribers))).split()[-1])
        smtp.start()

        server = subprocess.Popen(
            [str(Path(python).parent / "gunicorn"), "--config", "config/gunicorn.conf.py",
             "--access-logfile", "/dev/null", "config.wsgi:application"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(server)
        with open(worker_log, "w") as log:
            worker = subprocess.Popen(
                [python, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
                cwd=ROOT, env={**env, "LOG_LEVEL": "INFO"}, start_new_session=True,
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        processes.append(worker)
        wait_for(lambda: answers(base + "/healthz"), 30)
        wrk = subprocess.Popen(
            ["wrk", "-t2", "-c16", f"-d{options.seconds}s", "--latency", base + "/"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        signups = Signups(base)
        signups.start()

        # 1. The worker is idle: only confirmations trickle in.
        time.sleep(options.restart_after)
        began, back = cluster.restart()
        idle = {
            "database_down_seconds": round(back - began, 2),
            "site_answered_after_seconds": readyz_after(base, back),
        }
        wait_for(lambda: recorder.first_after(back) is not None, 60)
        idle["next_email_after_seconds"] = rounded(recorder.first_after(back))

        # 2. The worker sends the issue.
        time.sleep(3)
        shell(env, SEND.format(pk=issue_pk))
        third = options.subscribers // 3
        wait_for(lambda: sum(recorder.counts(signups=False).values()) >= third, 120)
        before = sum(recorder.counts(signups=False).values())
        began, back = cluster.restart()
        sending = {
            "issue_messages_before_restart": before,
            "database_down_seconds": round(back - began, 2),
            "site_answered_after_seconds": readyz_after(base, back),
        }
        wait_for(lambda: recorder.first_after(back) is not None, 60)
        sending["next_email_after_seconds"] = rounded(recorder.first_after(back))

        wrk_output = wrk.communicate()[0]
        signups.stop.set()
        signups.join(timeout=10)

        expected = last_json(shell(env, EXPECTED.format(pk=issue_pk)))
        accepted = set(signups.accepted)

        def all_out():
            issue, confirmations = recorder.counts(False), recorder.counts(True)
            return all(issue[e] for e in expected) and all(confirmations[e] for e in accepted)

        wait_for(all_out, 180)
        time.sleep(2)  # anything sent twice would show up now
        worker_alive = worker.poll() is None
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        if smtp._thread is not None:
            smtp.stop()

    log_text = worker_log.read_text() if worker_log.exists() else ""
    try:
        stored = set(last_json(shell(env, STORED.format(prefix=SIGNUP_PREFIX))))
    finally:
        cluster.destroy()
        shutil.rmtree(env["DJANGO_VAR_DIR"], ignore_errors=True)
    issue, confirmations = recorder.counts(False), recorder.counts(True)
    requests = re.search(r"(\d+) requests in", wrk_output)
    errors = re.search(r"Socket errors: (.*)", wrk_output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk_output)
    report = {
        "restart_while_idle": idle,
        "restart_while_sending": sending,
        "issue_subscribers": len(expected),
        "issue_messages_sent": sum(issue[e] for e in expected),
        "issue_recipients_missing": sum(1 for e in expected if not issue[e]),
        "issue_duplicates": sum(count - 1 for count in issue.values() if count > 1),
        "signups_accepted": len(accepted),
        "signups_refused_or_failed": signups.refused,
        "accepted_signups_missing_from_database": sorted(accepted - stored),
        "confirmations_sent": sum(confirmations.values()),
        "confirmations_missing": sum(1 for e in accepted if not confirmations[e]),
        "confirmation_duplicates": sum(c - 1 for c in confirmations.values() if c > 1),
        "worker_still_running": worker_alive,
        "worker_lost_database_warnings": log_text.count("Lost the database"),
        "worker_tracebacks": log_text.count("Traceback"),
        "worker_log_about_the_database": [
            message[:200]
            for message in map(log_message, log_text.splitlines())
            if "database" in message.lower() or "Traceback" in message
        ],
        "wrk_requests": int(requests.group(1)) if requests else None,
        "wrk_non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "wrk_socket_errors": errors.group(1) if errors else "none",
    }
    print(json.dumps(report, indent=2))
    failures = [
        name
        for name, ok in {
            "site back within 5 s": all(
                (phase["site_answered_after_seconds"] or 99) < 5 for phase in (idle, sending)
            ),
            "email flows after each restart": all(
                phase["next_email_after_seconds"] is not None for phase in (idle, sending)
            ),
            "every accepted signup stored": not report["accepted_signups_missing_from_database"],
            "signups accepted": report["signups_accepted"] > 0,
            "every subscriber got the issue": report["issue_recipients_missing"] == 0,
            "nothing sent twice": report["issue_duplicates"] == 0
            and report["confirmation_duplicates"] == 0,
            "every accepted signup confirmed": report["confirmations_missing"] == 0,
            "worker still running": worker_alive,
            "no traceback from the worker": report["worker_tracebacks"] == 0,
        }.items()
        if not ok
    ]
    print("Fault test: " + ("passed" if not failures else "FAILED: " + "; ".join(failures)))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
