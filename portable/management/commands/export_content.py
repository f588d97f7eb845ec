"""`manage.py export_content DIR`: the site's content as Markdown files (portable.export)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from portable.export import export_content


class Command(BaseCommand):
    help = (
        "Write every post, release and newsletter issue as a Markdown file with front "
        "matter, plus the media they use, into DIR. `import_content DIR` reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder to write (created if needed).")

    def handle(self, *args, directory: Path, **options):
        counts = export_content(directory)
        for line in counts.lines(f"Exported to {directory}"):
            self.stdout.write(line)
