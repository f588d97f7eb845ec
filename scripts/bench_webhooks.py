"""Provider webhook events processed per second at the live server, in one run.

    .venv/bin/python scripts/bench_webhooks.py [--events 2000] [--threads 8]

Starts gunicorn with production settings (the image's defaults) on a scratch PostgreSQL
database `blog_bench_webhooks` on DATABASE_URL's server (created, then dropped), with
`--events` subscribers the site has emailed, and posts Postmark bounce webhooks to
/anymail/postmark/tracking/ from `--threads` client threads: first one new soft bounce per
subscriber (each event stored and counted against its subscriber), then the same events
again (replays: looked up and answered without effect). Reported: events per second for
each, and the rows written, which must be one event per subscriber.
"""

import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench

DATABASE = "blog_bench_webhooks"
SECRET = "bench:webhook-secret"
SUBSCRIBERS = """
from django.utils import timezone
from newsletter.models import Subscriber
now = timezone.now()
Subscriber.objects.create_many(
    Subscriber(email=f"reader{n}@example.org", status="active", confirmation_sent_at=now)
    for n in range(%d)
)
"""


def event(number: int) -> bytes:
    return json.dumps({
        "RecordType": "Bounce", "ID": 1_000_000 + number, "Type": "SoftBounce", "TypeCode": 4096,
        "MessageID": f"00000000-0000-0000-0000-{number:012d}",
        "Details": "smtp;452 4.2.2 Mailbox full", "Email": f"reader{number}@example.org",
        "BouncedAt": "2026-12-01T09:12:01Z", "Description": "Mailbox full",
    }).encode()  # fmt: skip


def send(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/json",
        "Authorization": "Basic " + base64.b64encode(SECRET.encode()).decode()})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    url = bench.database_url(DATABASE)
    admin = bench.database_url("postgres")
    subprocess.run(["dropdb", "--if-exists", "--maintenance-db", admin, DATABASE], check=True)
    subprocess.run(["createdb", "--maintenance-db", admin, DATABASE], check=True)
    static = Path(tempfile.mkdtemp(prefix="bench-webhooks-")) / "static"
    port = bench.free_port()
    env = {**bench.environment(url, static, port, cache=False), "ANYMAIL_WEBHOOK_SECRET": SECRET}
    server = None
    try:
        bench.manage(env, "migrate", "--no-input", "-v0")
        bench.manage(env, "collectstatic", "--no-input", "-v0")
        bench.manage(env, "shell", "-c", SUBSCRIBERS % args.events)
        server = bench.start(env)
        hook = env["SITE_URL"] + "/anymail/postmark/tracking/"
        bodies = [event(n) for n in range(args.events)]
        print(f"{args.events} Postmark bounce events, {args.threads} client threads")
        for label in ("new", "replayed"):
            started = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                statuses = list(pool.map(lambda body: send(hook, body), bodies))
            seconds = time.perf_counter() - started
            assert set(statuses) == {200}, set(statuses)
            print(f"  {label:<9} {args.events / seconds:8,.0f} events/s  ({seconds:.1f} s)")
        count = "from newsletter.models import MailEvent; print(MailEvent.objects.count())"
        rows = bench.manage(env, "shell", "-c", count)
        print(f"  mail events stored: {rows.strip().splitlines()[-1]} (one per subscriber)")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)  # gunicorn runs in a session of its own
            server.wait(timeout=30)
        subprocess.run(["dropdb", "--if-exists", "--force", "--maintenance-db", admin, DATABASE])


if __name__ == "__main__":
    main()
