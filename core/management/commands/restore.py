from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup DIR` into an empty database (created but not "
        "migrated) and an empty media folder or bucket, then check counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, directory, **options):
        try:
            manifest = restore(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']}: "
                f"{sum(manifest['counts'].values())} rows checked, "
                f"{len(manifest['media'])} media files verified."
            )
        )
