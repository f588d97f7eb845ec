"""`manage.py rebuild_search_index`: index everything searchable from scratch."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from search.index import rebuild_index, uses_postgres


class Command(BaseCommand):
    help = (
        "Rebuild the site search index (search.SearchEntry) from all posts, releases and "
        "newsletter issues. Saving content keeps the index current by itself; run this "
        "after bulk imports, after changing SITE_LANGUAGE (the stemming language), or if "
        "the index was lost."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            counts = rebuild_index()
        elapsed = time.monotonic() - started
        engine = "full-text vectors" if uses_postgres() else "text (SQLite: no vectors)"
        summary = ", ".join(f"{n} {kind}s" for kind, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Indexed {summary} as {engine} in {elapsed:.1f} s."))
