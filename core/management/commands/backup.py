from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a backup into DIR (new or empty): a consistent database dump, an archive of "
        "every media file and a manifest with row counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, directory, **options):
        try:
            manifest = backup(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n} {label.split('.')[1]}" for label, n in manifest["counts"].items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {directory}: {manifest['database']['vendor']} database "
                f"({counts}), {len(manifest['media'])} media files."
            )
        )
