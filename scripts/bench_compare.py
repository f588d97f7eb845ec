"""Two revisions' uncached speed, measured in one run (`make bench-compare REV=<commit>`).

    .venv/bin/python scripts/bench_compare.py REV [--rounds 3] [--seconds 5]

Checks REV out as a git worktree in a temporary folder (this checkout's .venv runs both
trees), prepares the bench database like `make bench` (scripts/bench.py, whose functions
this reuses), collects static files for both trees and starts one gunicorn per tree, with
production settings and no page cache, on the same database. When REV's migrations differ
from this checkout's, REV gets its own copy of the database instead (`blog_bench_rev`, made
with `createdb -T blog_bench` and migrated back to REV's migrations), so that both serve the
same rows.

Then wrk measures bench.py's uncached pages (home, a post, a category, the main feed, a
search) interleaved: each page on one server, then at once on the other, the order swapped
every round, so both trees see the same machine load. Per page it prints the median
requests/s of each tree and this checkout's difference from REV in %. Results go to
bench/compare.json. The numbers are only comparable within one run.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import bench

ROOT = bench.ROOT
COPY = bench.DATABASE + "_rev"
PAGES = ("home", "post", "category", "feed", "search")

MIGRATION_GRAPH = """
import json
from django.db.migrations.loader import MigrationLoader
graph = MigrationLoader(None, ignore_no_migrations=True).graph
print(json.dumps({"leaves": dict(graph.leaf_nodes()), "nodes": sorted(graph.nodes)}))
"""


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


@contextmanager
def worktree(commit: str, folder: Path):
    git("worktree", "add", "--detach", "--quiet", str(folder), commit)
    try:
        yield folder
    finally:
        git("worktree", "remove", "--force", str(folder))


def migration_files(tree: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(tree)): path.read_bytes()
        for path in sorted(tree.glob("*/migrations/*.py"))
    }


def migration_graph(env: dict, tree: Path) -> dict:
    out = bench.manage(env, "shell", "-c", MIGRATION_GRAPH, tree=tree)
    graph = json.loads(out.strip().splitlines()[-1])
    graph["nodes"] = {tuple(node) for node in graph["nodes"]}
    return graph


def database_tool(*args: str) -> None:
    subprocess.run([*args, "--maintenance-db", bench.database_url("postgres")], check=True)


def copy_for_revision(head_env: dict, rev_env: dict, rev_tree: Path) -> None:
    """blog_bench copied, then brought to REV's migrations: this checkout unapplies what REV
    does not have (state-only moves and data migrations run backwards), and REV's own
    migrate applies whatever this checkout lacks."""
    database_tool("dropdb", "--if-exists", COPY)
    database_tool("createdb", "--template", bench.DATABASE, COPY)
    copy_env = {**head_env, "DATABASE_URL": rev_env["DATABASE_URL"]}
    mine, theirs = migration_graph(copy_env, ROOT), migration_graph(rev_env, rev_tree)
    for app, leaf in mine["leaves"].items():
        target = theirs["leaves"].get(app)
        if target == leaf:
            continue
        if target is None:
            bench.manage(copy_env, "migrate", app, "zero", "--no-input", "-v0")
            print(f"{COPY}: {app} unapplied (REV has no migrations for it)")
        elif (app, target) in mine["nodes"]:
            bench.manage(copy_env, "migrate", app, target, "--no-input", "-v0")
            print(f"{COPY}: {app} migrated back to {target}")
    bench.manage(rev_env, "migrate", "--no-input", "-v0", tree=rev_tree)
    subprocess.run(["psql", "--dbname", rev_env["DATABASE_URL"], "-qc", "ANALYZE"], check=True)


def server_environment(database: str, folder: Path, prefix: str) -> dict:
    env = bench.environment(
        bench.database_url(database), folder / "static", bench.free_port(), cache=False
    )
    # Apart even when REDIS_URL puts both servers on one cache.
    return {**env, "CACHE_KEY_PREFIX": f"bench-{prefix}"}


def measure(pages: dict, servers: dict[str, dict], options) -> dict:
    runs = {page: {label: [] for label in servers} for page in pages}
    for path in pages.values():  # warm-up: connections open, code paths loaded
        for env in servers.values():
            bench.wrk(env["SITE_URL"] + path, 1, 4)
    labels = list(servers)
    for round_number in range(options.rounds):
        order = labels if round_number % 2 == 0 else labels[::-1]
        for page, path in pages.items():
            for label in order:
                address = servers[label]["SITE_URL"] + path
                runs[page][label].append(bench.wrk(address, options.seconds, 32))
        print(f"round {round_number + 1} of {options.rounds} done")
    return runs


def summarise(runs: dict, head: str, rev: str) -> dict:
    summary = {}
    for page, by_label in runs.items():
        row = {label: bench.medians(measured) for label, measured in by_label.items()}
        row["difference_percent"] = round((row[head]["rps"] / row[rev]["rps"] - 1) * 100, 1)
        summary[page] = row
    width = max(len(head), len(rev)) + 8
    print(
        f"\n{'page':<12}{rev + ' req/s':>{width}}{head + ' req/s':>{width}}"
        f"{'difference':>12}{'errors':>8}"
    )
    for page, row in summary.items():
        errors = row[head]["errors"] + row[rev]["errors"]
        print(
            f"{page:<12}{row[rev]['rps']:>{width}.0f}{row[head]['rps']:>{width}.0f}"
            f"{row['difference_percent']:>+11.1f}%{errors:>8}"
        )
    print(f"(difference: {head} against {rev}; positive means {head} serves more requests/s)")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the commit to compare this checkout with")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk).")
    try:
        commit = git("rev-parse", "--verify", "--quiet", options.rev + "^{commit}")
    except subprocess.CalledProcessError:
        raise SystemExit(f"{options.rev!r} is not a commit of this repository") from None
    rev = git("rev-parse", "--short", commit)
    head = git("rev-parse", "--short", "HEAD")
    if git("status", "--porcelain", "--untracked-files=no"):
        head += "+changes"  # the working tree is measured, not HEAD's commit

    bench.OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="blog-bench-compare-") as tmp:
        tmp = Path(tmp)
        with worktree(commit, tmp / "tree") as rev_tree:
            head_env = server_environment(bench.DATABASE, tmp / "head", "head")
            bench.prepare(head_env)  # migrate, seed once, ANALYZE, collectstatic
            own_copy = migration_files(rev_tree) != migration_files(ROOT)
            rev_env = server_environment(COPY if own_copy else bench.DATABASE, tmp / "rev", "rev")
            if own_copy:
                copy_for_revision(head_env, rev_env, rev_tree)
            else:
                print(f"{rev} has the same migrations: both trees serve {bench.DATABASE}")
            bench.manage(rev_env, "collectstatic", "--no-input", "-v0", tree=rev_tree)
            pages = {name: path for name, path in bench.urls(head_env).items() if name in PAGES}
            servers = [bench.start(head_env), bench.start(rev_env, tree=rev_tree)]
            try:
                runs = measure(pages, {head: head_env, rev: rev_env}, options)
            finally:
                for server in servers:
                    os.killpg(server.pid, signal.SIGTERM)
                    server.wait(timeout=30)
                if own_copy:
                    database_tool("dropdb", "--if-exists", COPY)
    results = {
        "head": head,
        "rev": rev,
        "rev_database": COPY if own_copy else bench.DATABASE,
        "pages": pages,
        "runs": runs,
        "summary": summarise(runs, head, rev),
    }
    target = bench.OUT / "compare.json"
    target.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
