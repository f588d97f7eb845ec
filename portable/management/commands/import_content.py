"""`manage.py import_content DIR`: a folder export_content wrote, read back (portable.importing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portable.importing import import_content


class Command(BaseCommand):
    help = (
        "Read a folder written by export_content back into the site: categories, posts, "
        "projects, releases, issues and media, created or updated by slug, version or "
        "number. Importing the same folder twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="A folder export_content wrote.")

    def handle(self, *args, directory: Path, **options):
        try:
            counts = import_content(directory)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"{directory}: {exc}") from None
        for line in counts.lines(f"Imported from {directory} (created or changed)"):
            self.stdout.write(line)
