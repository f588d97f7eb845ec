"""Fault test: restart PostgreSQL under load and while readers sign up.

    sudo .venv/bin/python scripts/fault_test.py [--seconds 40] [--restart-after 12]

Needs the local PostgreSQL cluster (restarted with pg_ctlcluster: run it as root, on a
machine where nothing else needs the database for a minute) and wrk. It:

1. creates a scratch database `blog_fault`, migrates it and seeds the demo content;
2. starts gunicorn with production settings on loopback;
3. runs wrk against the home page for the whole test, and a loop of newsletter signups
   (each from its own address, via X-Forwarded-For) recording which got a success answer;
4. restarts PostgreSQL part-way through, and measures how long after the database is back
   the site answers 200 again on /readyz, which needs the database (target: under 5 s);
5. checks that every signup that was answered with success is in the database.

Prints a JSON report and exits non-zero when a target is missed.
"""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "blog_fault"
SERVER_DB = "postgres://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0


def cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


def environment(port: int) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return {
        **base,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "fault-test-only-" + "f" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"{SERVER_DB}/{DATABASE}",
        "DATABASE_CONN_MAX_AGE": "60",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_URL": "console://",
        "TRUSTED_PROXY_COUNT": "1",
        "GUNICORN_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
    }


class Signups(threading.Thread):
    """Signs up one new address after another; remembers which were answered with success."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base = base
        self.accepted: list[str] = []
        self.refused = 0
        self.stop = threading.Event()

    def run(self):
        number = 0
        while not self.stop.is_set():
            number += 1
            email = f"fault-{number}@example.com"
            try:
                jar = http.cookiejar.CookieJar()
                opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
                page = opener.open(self.base + "/newsletter/", timeout=5).read().decode()
                token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
                data = urllib.parse.urlencode(
                    {"form_token": token, "email": email, "source": "fault-test"}
                ).encode()
                request = urllib.request.Request(
                    self.base + "/newsletter/subscribe/",
                    data=data,
                    headers={
                        "X-Forwarded-For": f"10.{number // 65536 % 256}.{number // 256 % 256}"
                        f".{number % 256}",
                        "Referer": self.base + "/newsletter/",
                    },
                )
                response = opener.open(request, timeout=5)
                if response.status == 200:
                    self.accepted.append(email)
                else:
                    self.refused += 1
            except (urllib.error.URLError, OSError, AttributeError):
                self.refused += 1
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--restart-after", type=int, default=12)
    options = parser.parse_args()

    port = free_port()
    env = environment(port)
    base = env["SITE_URL"]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE])
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE)
    python = sys.executable
    run(python, "manage.py", "migrate", "--no-input", "-v0", cwd=ROOT, env=env)
    run(python, "manage.py", "seed_demo", cwd=ROOT, env=env)
    run(python, "manage.py", "collectstatic", "--no-input", "-v0", cwd=ROOT, env=env)

    server = subprocess.Popen(
        [str(Path(python).parent / "gunicorn"), "--config", "config/gunicorn.conf.py",
         "--access-logfile", "/dev/null", "config.wsgi:application"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        wrk = subprocess.Popen(
            ["wrk", "-t2", "-c16", f"-d{options.seconds}s", "--latency", base + "/"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        signups = Signups(base)
        signups.start()

        time.sleep(options.restart_after)
        restarted_at = time.monotonic()
        run("pg_ctlcluster", "--skip-systemctl-redirect", cluster(), "main", "restart")
        while not pg_ready():
            time.sleep(0.05)
        back_at = time.monotonic()
        recovered_at = None
        while time.monotonic() - back_at < 60:
            try:
                # /readyz needs the database (the home page may come from the page cache).
                if urllib.request.urlopen(base + "/readyz", timeout=2).status == 200:
                    recovered_at = time.monotonic()
                    break
            except OSError:
                pass
            time.sleep(0.05)

        wrk_output = wrk.communicate()[0]
        signups.stop.set()
        signups.join(timeout=10)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    script = (
        "import json; from newsletter.models import Subscriber; "
        "print(json.dumps(list(Subscriber.objects.filter(source='fault-test')"
        ".values_list('email', flat=True))))"
    )
    stored = set(json.loads(run(python, "manage.py", "shell", "-c", script, cwd=ROOT,
                                env=env).stdout.strip().splitlines()[-1]))  # fmt: skip
    missing = [email for email in signups.accepted if email not in stored]
    requests = re.search(r"(\d+) requests in", wrk_output)
    errors = re.search(r"Socket errors: (.*)", wrk_output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk_output)
    report = {
        "database_down_seconds": round(back_at - restarted_at, 2),
        "site_answered_after_database_back_seconds": (
            round(recovered_at - back_at, 2) if recovered_at else None
        ),
        "wrk_requests": int(requests.group(1)) if requests else None,
        "wrk_non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "wrk_socket_errors": errors.group(1) if errors else "none",
        "signups_accepted": len(signups.accepted),
        "signups_refused_or_failed": signups.refused,
        "accepted_signups_missing_from_database": missing,
    }
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE])
    print(json.dumps(report, indent=2))
    ok = (
        report["site_answered_after_database_back_seconds"] is not None
        and report["site_answered_after_database_back_seconds"] < 5
        and not missing
        and report["signups_accepted"] > 0
    )
    print("Fault test: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
