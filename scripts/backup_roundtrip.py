"""Backup → restore into a fresh database and media folder → the same pages, same content.

    python scripts/backup_roundtrip.py            # SQLite files in a temporary folder
    python scripts/backup_roundtrip.py --postgres # scratch databases on DATABASE_URL's server

Seeds the demo site into database A, renders every page type, runs `manage.py backup`,
restores into an empty database B with an empty media folder, renders the same pages from B
and compares them (form tokens aside). Exits non-zero on any difference. The test suite
runs it (tests/test_backup.py) on the database it is given.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

RENDER = r"""
import hashlib, json, re
from django.test import Client
from blog.models import Post
from newsletter.models import Issue
from projects.models import Release
client = Client(HTTP_HOST="localhost")
post = Post.objects.published().exclude(audio="").first()
urls = ["/", "/?page=2", "/archive/", "/projects/", "/newsletter/", post.get_absolute_url(),
        post.audio.url, Release.objects.published().first().get_absolute_url(),
        Issue.objects.published().first().get_absolute_url()]
pages = {}
for url in urls:
    response = client.get(url)
    body = b"".join(response) if response.streaming else response.content
    # Form tokens carry a time stamp: the only part of a page that may differ.
    body = re.sub(rb'name="(csrfmiddlewaretoken|form_token)" value="[^"]+"', b"", body)
    pages[url] = [response.status_code, hashlib.sha256(body).hexdigest()]
print(json.dumps(pages))
"""


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args[:2])} failed:\n{result.stderr}")
    return result.stdout


def environment(database_url: str, media: Path) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return {**base, "DATABASE_URL": database_url, "DJANGO_MEDIA_ROOT": str(media),
            "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}  # fmt: skip


def postgres_url(name: str) -> str:
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{name}"))


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", "--quiet", "--dbname", postgres_url("postgres"), "-c", sql],
                   check=True, capture_output=True)  # fmt: skip


def roundtrip(use_postgres: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="blog-backup-") as tmp:
        tmp = Path(tmp)
        if use_postgres:
            suffix = uuid.uuid4().hex[:8]
            names = [f"blog_backup_a_{suffix}", f"blog_backup_b_{suffix}"]
            for name in names:
                psql(postgres_url("postgres"), f'CREATE DATABASE "{name}"')
            url_a, url_b = (postgres_url(n) for n in names)
        else:
            url_a, url_b = f"sqlite:///{tmp / 'a.sqlite3'}", f"sqlite:///{tmp / 'b.sqlite3'}"
        try:
            env_a = environment(url_a, tmp / "media-a")
            manage(env_a, "migrate", "--no-input", "-v0")
            manage(env_a, "seed_demo")
            before = json.loads(manage(env_a, "shell", "-c", RENDER).strip().splitlines()[-1])
            manage(env_a, "backup", str(tmp / "backup"))

            env_b = environment(url_b, tmp / "media-b")
            manage(env_b, "restore", str(tmp / "backup"))
            after = json.loads(manage(env_b, "shell", "-c", RENDER).strip().splitlines()[-1])
        finally:
            if use_postgres:
                for name in names:
                    psql(postgres_url("postgres"), f'DROP DATABASE IF EXISTS "{name}"')
    return {"before": before, "after": after}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    result = roundtrip(parser.parse_args().postgres)
    same = result["before"] == result["after"]
    for url, (status, digest) in result["before"].items():
        mark = "same" if result["after"].get(url) == [status, digest] else "DIFFERENT"
        print(f"{status} {url}: {mark}")
    print("Backup round trip: " + ("identical pages" if same else "PAGES DIFFER"))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
