"""`manage.py seed_demo`: fill the site with demo content, and optionally with bulk test data."""

import argparse
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from blog.models import Post
from core import versioning
from demo import seed, synthetic
from newsletter.models import Issue
from projects.models import Project, Release


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


class Command(BaseCommand):
    help = (
        "Create the demo site: author settings and avatar, 3 categories, 15 posts (one draft, "
        "one scheduled, one featured, three with audio), 2 projects with releases, 3 "
        "newsletter issues and 25 subscribers. Running it again replaces the hand-written "
        "demo records with fresh ones (dated relative to now) instead of duplicating them. "
        "It refuses to run when the database holds posts, projects, releases or issues it did "
        "not create, unless --force is given; even then it only ever deletes its own records. "
        "--posts/--releases/--issues/--subscribers N additionally generate N synthetic records "
        "each, for benchmarks; these accumulate across runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has content (used by `make run`).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though the database holds content this command did not create.",
        )
        for name, what in [
            ("posts", "published posts"),
            ("releases", "releases spread over the demo projects"),
            ("issues", "newsletter issues"),
            ("subscribers", "active subscribers"),
        ]:
            parser.add_argument(
                f"--{name}",
                type=_count,
                default=0,
                metavar="N",
                help=f"Also generate N synthetic {what}.",
            )

    def handle(self, *args, **options):
        if options["if_empty"]:
            if Post.objects.exists():
                self.stdout.write("Demo content already present; nothing to do.")
                return
            if Project.objects.exists() or Release.objects.exists() or Issue.objects.exists():
                self.stdout.write("The database already has content; nothing to do.")
                return

        foreign = seed.foreign_content()
        if foreign and not options["force"]:
            found = ", ".join(
                f"{n} {kind.removesuffix('s') if n == 1 else kind}" for kind, n in foreign.items()
            )
            raise CommandError(
                f"The database holds content that seed_demo did not create ({found}). "
                "Run `manage.py seed_demo --force` to add the demo content next to it; "
                "content that is not demo content is never changed or deleted."
            )

        started = time.monotonic()
        # One transaction: all or nothing, and far faster for bulk inserts on SQLite.
        with transaction.atomic():
            summary = seed.seed_demo_site()
            # A fixed seed makes benchmark data the same from one run to the next.
            rng = random.Random(20240601)
            generated = {
                "posts": synthetic.create_posts(options["posts"], rng),
                "releases": synthetic.create_releases(options["releases"], rng),
                "issues": synthetic.create_issues(options["issues"], rng),
                "subscribers": synthetic.create_subscribers(options["subscribers"]),
            }
        if any(generated.values()):
            # bulk_create sends no signals: drop the cached content version and pages.
            versioning.invalidate()
            if connection.vendor == "postgresql":
                # Fresh planner statistics after a bulk load (autovacuum would take a while).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started

        self.stdout.write(self.style.SUCCESS(f"Demo site seeded: {summary}."))
        if not summary.site_settings:
            self.stdout.write(
                "Site settings already belong to a real author, so they were left unchanged."
            )
        if any(generated.values()):
            counts = ", ".join(f"{n} {kind}" for kind, n in generated.items())
            self.stdout.write(self.style.SUCCESS(f"Synthetic records: {counts}."))
        self.stdout.write(f"Done in {elapsed:.1f} s.")
