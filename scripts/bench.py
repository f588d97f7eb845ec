"""Benchmarks with wrk against gunicorn on loopback (`make bench`, `make loadtest`).

    .venv/bin/python scripts/bench.py            # the benchmark (about 5 minutes)
    .venv/bin/python scripts/bench.py --soak     # 60 s at 64 connections per page
    .venv/bin/python scripts/bench.py --counting --rounds 9   # statistics on and off only

Prepares a PostgreSQL database `blog_bench` on DATABASE_URL's server with
`seed_demo --posts 10000 --releases 2000 --issues 500 --subscribers 10000` (reused when it
is already there), collects static files, and starts three gunicorn servers with production
settings on loopback: with the page cache, without it, and with it but with the statistics
off (STATS_ENABLED=false), to show what counting costs cached pages. Then, interleaved so that
both see the same machine load, it measures with wrk: a static file through whitenoise, a
trivial view (/healthz), the home page, a post, a category page, the main feed and a
search, each cached and uncached; three rounds, the median requests/s reported with p50
and p99 latency and the ratio to the static file. It also counts the SQL queries of each
page at 10 and at 10,000 posts. Results go to bench/results.json (or bench/soak.json).

Numbers depend on the machine and on what else it is doing: they are reported, never
asserted in tests.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench"
DATABASE = "blog_bench"
SEED = ["--posts", "10000", "--releases", "2000", "--issues", "500", "--subscribers", "10000"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(name: str) -> str:
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not server.startswith("postgres"):
        server = "postgres://postgres@127.0.0.1:5432/postgres"
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def environment(url: str, static_root: Path, port: int, cache: bool, stats: bool = True) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    var = ("var-cached" if cache else "var-plain") + ("" if stats else "-nostats")
    return {
        **base,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-only-" + "b" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_VAR_DIR": str(static_root.parent / var),
        "DATABASE_URL": url,
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_URL": "console://",
        "PAGE_CACHE_SECONDS": "3600" if cache else "0",
        "GUNICORN_HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",
        # Counting on (the default) or off; readers' addresses come from X-Forwarded-For,
        # which the wrk script varies (READERS), so visitors are many as in real traffic.
        "STATS_ENABLED": "true" if stats else "false",
        "TRUSTED_PROXY_COUNT": "1",
    }


def manage(env: dict, *args: str, tree: Path = ROOT) -> str:
    """manage.py of `tree` (this checkout, or another revision's: scripts/bench_compare.py)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=tree, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def prepare(env: dict) -> None:
    exists = subprocess.run(
        ["psql", "--dbname", database_url("postgres"), "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        subprocess.run(["createdb", "--maintenance-db", database_url("postgres"), DATABASE],
                       check=True)  # fmt: skip
    manage(env, "migrate", "--no-input", "-v0")
    posts = manage(env, "shell", "-c", "from blog.models import Post; print(Post.objects.count())")
    if int(posts.strip().splitlines()[-1]) < 10000:
        started = time.monotonic()
        manage(env, "seed_demo", "--force", *SEED)
        print(f"seeded {DATABASE} in {time.monotonic() - started:.1f} s")
    else:
        print(f"reusing {DATABASE}")
    # Fresh planner statistics, as autovacuum would have them on a site that grew slowly.
    subprocess.run(["psql", "--dbname", database_url(DATABASE), "-qc", "ANALYZE"], check=True)
    manage(env, "collectstatic", "--no-input", "-v0")


def start(env: dict, tree: Path = ROOT) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "config/gunicorn.conf.py",
         "config.wsgi:application"],
        cwd=tree, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(150):
        try:
            urllib.request.urlopen(env["SITE_URL"] + "/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def urls(env: dict) -> dict[str, str]:
    script = """
import json
from django.contrib.staticfiles.storage import staticfiles_storage
from blog.models import Category, Post
post = Post.objects.published().order_by("-published_at").first()
category = Category.objects.filter(posts__isnull=False).first()
print(json.dumps({
    "static file": staticfiles_storage.url("css/site.css"),
    "trivial view": "/healthz",
    "home": "/",
    "post": post.get_absolute_url(),
    "category": category.get_absolute_url(),
    "feed": "/feed/",
    "search": "/search/?q=serverless",
}))
"""
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def medians(measured: list[dict]) -> dict:
    """The median requests/s and latencies of several wrk runs, and their errors summed."""
    return {
        "rps": statistics.median(r["rps"] for r in measured),
        "p50_ms": statistics.median(r["p50_ms"] for r in measured),
        "p99_ms": statistics.median(r["p99_ms"] for r in measured),
        "errors": sum(r["non_2xx"] + r["socket_errors"] for r in measured),
    }


# Every request as a reader's browser sends it, from one of 50,000 addresses: what the
# statistics count (a bot or an empty user agent would be left out at once).
READERS = """
local agent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
request = function()
  local address = "10." .. math.random(0, 3) .. "." .. math.random(0, 255) .. "."
    .. math.random(1, 50)
  wrk.headers["User-Agent"] = agent
  wrk.headers["X-Forwarded-For"] = address
  wrk.headers["Accept-Encoding"] = "gzip"
  return wrk.format(nil)
end
"""


def wrk(url: str, seconds: int, connections: int, timeout: int = 10) -> dict:
    # A 10 s client timeout (wrk's default is 2 s): under saturation requests queue rather
    # than fail, and a reader's browser waits longer than 2 s too; the p99 shows the wait.
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(READERS)
        script.flush()
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
             f"--timeout={timeout}s", "-s", script.name, url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.MULTILINE))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50_ms": to_ms(latency["50"]),
        "p99_ms": to_ms(latency["99"]),
        "non_2xx": int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1]),
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


QUERY_COUNTS = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from core.versioning import current_version
current_version()
client = Client(HTTP_HOST="127.0.0.1")
counts = {}
for name, url in %s.items():
    client.get(url)  # once first: a process's first use of a feature may probe the database
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    counts[name] = [status, len(queries.captured_queries)]
print(json.dumps(counts))
"""


def query_counts(env: dict, pages: dict) -> dict:
    pages = {k: v for k, v in pages.items() if k != "static file"}
    env = {**env, "PAGE_CACHE_SECONDS": "0"}
    return json.loads(manage(env, "shell", "-c", QUERY_COUNTS % pages).strip().splitlines()[-1])


def small_site_counts(pages_env: dict, static_root: Path) -> dict:
    """The same pages on a site with 10 posts."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**pages_env, "DATABASE_URL": f"sqlite:///{tmp}/small.sqlite3"}
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "seed_demo")
        return query_counts(env, urls(env))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soak", action="store_true", help="60 s runs at 64 connections")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--counting",
        action="store_true",
        help="only cached home, post and category with the statistics on and off",
    )
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk).")

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="blog-bench-") as tmp:
        static_root = Path(tmp) / "static"
        cached_port, plain_port, quiet_port = free_port(), free_port(), free_port()
        url = database_url(DATABASE)
        cached_env = environment(url, static_root, cached_port, cache=True)
        plain_env = environment(url, static_root, plain_port, cache=False)
        quiet_env = environment(url, static_root, quiet_port, cache=True, stats=False)
        prepare(cached_env)
        pages = urls(cached_env)
        servers = [start(cached_env), start(plain_env), start(quiet_env)]
        try:
            if options.soak:
                results = soak(pages, cached_env, plain_env)
            else:
                results = bench(pages, cached_env, plain_env, options, quiet_env)
                if not options.counting:
                    results["queries at 10000 posts"] = query_counts(plain_env, pages)
                    results["queries at 10 posts"] = small_site_counts(plain_env, static_root)
        finally:
            for server in servers:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    target = OUT / ("soak.json" if options.soak else "results.json")
    target.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {target.relative_to(ROOT)}")
    return 0


COUNTING_COMPARED = ("home", "post", "category")


def bench(pages, cached_env, plain_env, options, quiet_env) -> dict:
    runs: dict[str, list[dict]] = {}
    targets = []
    for name, path in pages.items():
        if options.counting and name not in ("static file", *COUNTING_COMPARED):
            continue
        if name in ("static file", "trivial view"):
            targets.append((name, cached_env["SITE_URL"] + path))
        else:
            targets.append((f"{name} (cached)", cached_env["SITE_URL"] + path))
            if name in COUNTING_COMPARED:
                targets.append((f"{name} (cached, no stats)", quiet_env["SITE_URL"] + path))
            if not options.counting:
                targets.append((f"{name} (uncached)", plain_env["SITE_URL"] + path))
    for _, address in targets:  # warm-up: caches filled, connections open
        wrk(address, 1, 4)
    for round_number in range(options.rounds):
        # Every other round backwards: no page always runs just after the same one.
        for name, address in targets if round_number % 2 == 0 else targets[::-1]:
            runs.setdefault(name, []).append(wrk(address, options.seconds, 32))
        print(f"round {round_number + 1} of {options.rounds} done")
    summary = {name: medians(measured) for name, measured in runs.items()}
    static = summary["static file"]["rps"]
    print(f"\n{'page':<24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'× static':>10}{'errors':>8}")
    for name, row in summary.items():
        row["ratio_to_static"] = round(row["rps"] / static, 3)
        print(f"{name:<30}{row['rps']:>10.0f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}"
              f"{row['ratio_to_static']:>10.2f}{row['errors']:>8}")  # fmt: skip
    # Statistics: cached pages with counting on, against the same with it off (target ≥ 0.9).
    kept = {
        name: round(
            summary[f"{name} (cached)"]["rps"] / summary[f"{name} (cached, no stats)"]["rps"], 3
        )
        for name in COUNTING_COMPARED
    }
    print("\ncached throughput kept with counting on: "
          + ", ".join(f"{name} {ratio:.2f}×" for name, ratio in kept.items()))  # fmt: skip
    return {"pages": pages, "runs": runs, "summary": summary, "counting kept": kept}


def soak(pages, cached_env, plain_env) -> dict:
    results = {}
    for name in ("home", "post", "newsletter"):
        path = "/newsletter/" if name == "newsletter" else pages[name]
        for label, env in (("cached", cached_env), ("uncached", plain_env)):
            result = wrk(env["SITE_URL"] + path, 60, 64)
            results[f"{name} ({label})"] = result
            print(f"{name} ({label}): {result['requests']} requests, {result['rps']:.0f}/s, "
                  f"p99 {result['p99_ms']:.1f} ms, non-2xx {result['non_2xx']}, "
                  f"socket errors {result['socket_errors']}")  # fmt: skip
    return results


if __name__ == "__main__":
    sys.exit(main())
