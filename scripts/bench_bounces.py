"""Bounce messages parsed per second by `manage.py process_bounce`, in one run.

    .venv/bin/python scripts/bench_bounces.py [--copies 200]

The corpus under tests/newsletter/inbound/mail/ is written out `--copies` times (each copy
with a Message-ID of its own, so none is a replay) into a temporary folder, and
`process_bounce` reads them all, once with --dry-run (reading and matching only) and once
applying (events stored, subscribers suppressed), against a scratch SQLite database with
the corpus's readers as subscribers. Reported: files per second for each, and the command's
verdicts per kind.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "newsletter" / "inbound" / "mail"
READERS = """
from django.utils import timezone
from newsletter.models import Subscriber
for address in %r:
    Subscriber.objects.get_or_create(email=address, defaults={
        "status": "active", "confirmation_sent_at": timezone.now()})
"""


def manage(env, *args, stdin=None):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            input=stdin, capture_output=True, text=True)  # fmt: skip
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-bounces-") as scratch:
        folder = Path(scratch) / "mail"
        folder.mkdir()
        sources = sorted(CORPUS.glob("*.eml"))
        for copy in range(args.copies):
            for source in sources:
                raw = source.read_bytes().replace(b"Message-I", b"X-Was-Message-I", 1)
                own = f"Message-ID: <bench-{copy}-{source.stem}@bench>\n".encode()
                (folder / f"{copy:05d}-{source.name}").write_bytes(own + raw)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{scratch}/db.sqlite3",
            "DJANGO_VAR_DIR": scratch,
            "EMAIL_URL": "console://",
            "LOG_LEVEL": "WARNING",
        }
        manage(env, "migrate", "--no-input", "-v0")
        readers = ["ada@reader.example.org", "grace.hopper@gmail.example",
                   "linus@corp.example.net", "barbara@unrouteable.example",
                   "edsger@qmail.host.example", "margaret@mail.example",
                   "katherine@fbl.example.net"]  # fmt: skip
        manage(env, "shell", stdin=READERS % (readers,))
        files = sorted(str(path) for path in folder.iterdir())
        print(f"{len(files)} files ({len(sources)} corpus messages × {args.copies})")
        for label, extra in (("dry run", ["--dry-run"]), ("applied", [])):
            started = time.perf_counter()
            out = manage(env, "process_bounce", *extra, *files)
            seconds = time.perf_counter() - started
            kinds = collections.Counter(json.loads(line)["kind"] for line in out.splitlines())
            print(f"  {label:<8} {len(files) / seconds:8,.0f} files/s  ({seconds:.1f} s)  "
                  f"{dict(sorted(kinds.items()))}")  # fmt: skip


if __name__ == "__main__":
    main()
