"""`manage.py rerender_markdown`: render every stored Markdown field again.

The HTML readers see is rendered once, at save, into `*_html` columns (core.markdown). After
an upgrade that changes the renderer (a new Markdown extension, a sanitizer rule), this
brings the stored HTML of everything already written up to date without touching anything
else: no `updated_at` moves, so feeds do not announce every post as changed, and no save
signals run. The content version moves on once at the end (core.versioning.touch), so
cached pages and ETags are fresh on the next request."""

from django.core.management.base import BaseCommand
from django.db import transaction

from blog.models import Post, PostUpdate, Series
from core import versioning
from core.markdown import first_paragraph_text, render_markdown
from core.models import SiteSettings
from newsletter.models import Issue
from projects.models import Project, Release


def _post(post) -> dict:
    return {
        "body_html": render_markdown(post.body),
        "teaser": post.excerpt.strip() or first_paragraph_text(post.body),
    }


# model → (the fields read, what to store from them)
RENDERED = {
    Post: (("body", "excerpt", "body_html", "teaser"), _post),
    PostUpdate: (("note", "note_html"), lambda u: {"note_html": render_markdown(u.note)}),
    Series: (("description", "description_html"),
             lambda s: {"description_html": render_markdown(s.description)}),
    Project: (("description", "description_html"),
              lambda p: {"description_html": render_markdown(p.description)}),
    Release: (("notes", "notes_html"), lambda r: {"notes_html": render_markdown(r.notes)}),
    Issue: (("body", "body_html"), lambda i: {"body_html": render_markdown(i.body)}),
    SiteSettings: (("bio", "bio_html"), lambda s: {"bio_html": render_markdown(s.bio)}),
}  # fmt: skip


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
        for model, (fields, render) in RENDERED.items():
            changed = 0
            rows = model.objects.order_by("pk").only("pk", *fields)
            for obj in rows.iterator(chunk_size=500):
                fresh = render(obj)
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
