"""What each prepared query (core.prepared) saves of its page's uncached time, in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/blog_bench_prepared \\
        .venv/bin/python scripts/prepared_bench.py [--rounds 300]

Against a database seeded like `make bench` (seed_demo --posts 10000 ...), it renders each
page through Django's test client with the page cache off, alternating request by request
between the code as it is and the same code with one prepared query run the plain ORM way
(the queryset built and compiled on every call, the same SQL). Alternating keeps both
variants under the same machine load. Reported: the median page time of each variant,
the milliseconds the prepared query saves, and the saving as the median of the per-pair
savings (each pair is a prepared and a plain request a few milliseconds apart, so a load
change between pairs affects both alike). A call site earns its place when it saves at
least 10 % of its page's time. Static files are collected into a temporary folder first
(the production storage needs their manifest).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STATIC_ROOT = tempfile.TemporaryDirectory(prefix="prepared-bench-static-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings",
    DJANGO_DEBUG="false",
    DJANGO_SECRET_KEY="bench-only-" + "b" * 50,
    DJANGO_ALLOWED_HOSTS="testserver",
    DJANGO_SECURE_SSL_REDIRECT="false",
    PAGE_CACHE_SECONDS="0",
    EMAIL_URL="console://",
    LOG_LEVEL="WARNING",
    DJANGO_STATIC_ROOT=STATIC_ROOT.name,
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from core.prepared import PreparedQuery  # noqa: E402


def plain_orm(query: PreparedQuery, calls: list):
    """`query`'s methods replaced by the ORM evaluating the queryset with the real values."""

    def queryset(values, shape):
        calls.append(1)
        return query.build(*values) if shape is None else query.build(*values, shape=shape)

    return {
        "rows": lambda *values, shape=None: [tuple(row) for row in queryset(values, shape)],
        "objects": lambda model, *values, shape=None: list(queryset(values, shape)),
    }


def call_sites() -> dict[str, PreparedQuery]:
    """Every module-level PreparedQuery of the project, by its dotted name."""
    import importlib

    found = {}
    for module_name in ("blog.views", "blog.cards", "home.timeline", "core.models"):
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if isinstance(value, PreparedQuery):
                found[f"{module_name}.{name}"] = value
    return found


def pages() -> dict[str, str]:
    from blog.models import Category, Post

    post = (
        Post.objects.published()
        .filter(categories__isnull=False, series__isnull=False)
        .order_by("-published_at")
        .first()
    ) or Post.objects.published().filter(categories__isnull=False).latest("published_at")
    category = Category.objects.order_by("pk").first()
    return {
        "home": "/",
        "home page 5": "/?page=5",
        "post": post.get_absolute_url(),
        "category": category.get_absolute_url(),
    }


def timed(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--site", action="append", default=[], help="only call sites whose name contains this"
    )
    args = parser.parse_args()
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    urls = pages()
    sites = {
        name: query
        for name, query in call_sites().items()
        if not args.site or any(part in name for part in args.site)
    }
    print(
        f"{'call site':36} {'page':12} {'prepared ms':>11} {'plain ms':>9} {'saved ms':>9} "
        f"{'saving':>7}"
    )
    for site_name, query in sites.items():
        for page, url in urls.items():
            calls = []
            replaced = plain_orm(query, calls)
            vars(query).update(replaced)
            timed(client, url)
            for method in replaced:
                vars(query).pop(method)
            if not calls:
                continue  # the page does not run this query
            samples = {"prepared": [], "plain": []}
            for round_number in range(args.warmup + args.rounds):
                for variant in ("prepared", "plain") if round_number % 2 else ("plain", "prepared"):
                    if variant == "plain":
                        vars(query).update(replaced)
                    try:
                        elapsed = timed(client, url)
                    finally:
                        for method in replaced:
                            vars(query).pop(method, None)
                    if round_number >= args.warmup:
                        samples[variant].append(elapsed)
            with_it = statistics.median(samples["prepared"]) * 1000
            without = statistics.median(samples["plain"]) * 1000
            pairs = zip(samples["prepared"], samples["plain"], strict=True)
            saved = statistics.median(plain - prepared for prepared, plain in pairs) * 1000
            pairs = zip(samples["prepared"], samples["plain"], strict=True)
            saving = statistics.median((plain - prepared) / plain for prepared, plain in pairs)
            print(
                f"{site_name:36} {page:12} {with_it:11.2f} {without:9.2f} {saved:9.2f} "
                f"{saving * 100:6.1f}%"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
