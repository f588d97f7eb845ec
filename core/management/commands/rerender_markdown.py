"""`manage.py rerender_markdown`: render every stored Markdown field again.

The HTML readers see is rendered once, at save, into `*_html` columns (core.markdown). After
an upgrade that changes the renderer (a new Markdown extension, a sanitizer rule), this
brings the stored HTML of everything already written up to date without touching anything
else: no `updated_at` moves, so feeds do not announce every post as changed, and no save
signals run. The content version moves on once at the end (core.versioning.touch), so
cached pages and ETags are fresh on the next request.

What to render comes from core.rerendering, where each app registers its own models."""

from django.core.management.base import BaseCommand
from django.db import transaction

from core import rerendering, versioning


class Command(BaseCommand):
    help = (
        "Render the stored HTML of every post, update note, series, project, release, issue "
        "and the author bio again from its Markdown (after a renderer upgrade). Only rows "
        "whose HTML changes are written; updated_at stays as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would change, write nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        total = 0
        for entry in rerendering.registered():
            model, changed = entry.model, 0
            rows = model.objects.order_by("pk").only("pk", *entry.fields)
            for obj in rows.iterator(chunk_size=500):
                fresh = entry.render(obj)
                if any(getattr(obj, name) != value for name, value in fresh.items()):
                    changed += 1
                    if not dry_run:
                        with transaction.atomic():
                            model.objects.filter(pk=obj.pk).update(**fresh)
            total += changed
            name = model._meta.verbose_name_plural
            self.stdout.write(f"{name}: {changed} {'to change' if dry_run else 'changed'}")
        if total and not dry_run:
            # No timestamp shows this change: record it, so the content version (and every
            # cached page and ETag) moves on.
            versioning.touch()
            versioning.invalidate()
        verb = "would change" if dry_run else "changed"
        self.stdout.write(self.style.SUCCESS(f"{total} item{'s' * (total != 1)} {verb}."))
