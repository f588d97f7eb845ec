import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wordpress.importer import PAGE_MODES, Importer, default_warnings_path
from wordpress.wxr import NotAnExport


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR file from Tools → Export): posts, categories and "
        "tags, media from the old uploads folder, and redirects from every old address. "
        "Running it again updates what it imported before."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="The WXR file (.xml) WordPress exported.")
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="The old site's wp-content/uploads folder, copied from its server. Images "
            "and audio the posts use are copied from there into this site's media.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Change nothing: print what would be done.",
        )
        parser.add_argument(
            "--pages",
            choices=PAGE_MODES,
            default="skip",
            help="This site has no pages: skip them (default, reported), or import them "
            "as draft posts.",
        )
        parser.add_argument(
            "--warnings-file",
            type=Path,
            help="Where to list every warning (default: var/wordpress-import/warnings-…).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar on standard error."
        )

    def handle(self, *args, export: Path, media_dir, dry_run, pages, warnings_file, **options):
        if not export.is_file():
            raise CommandError(f"{export}: no such file.")
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir}: no such folder.")
        verbosity = options["verbosity"]
        show_actions = dry_run or verbosity >= 2
        importer = Importer(
            export,
            media_dir=media_dir,
            dry_run=dry_run,
            pages=pages,
            warnings_path=warnings_file or default_warnings_path(),
            progress=not options["no_progress"] and sys.stderr.isatty() and verbosity > 0,
            on_action=self.stdout.write if show_actions else None,
        )
        try:
            report = importer.run()
        except NotAnExport as exc:
            raise CommandError(f"{export}: {exc}") from None
        if verbosity:
            self.stdout.write("")
            for line in report.lines():
                self.stdout.write(line)
            shown = list(report.warnings[:10])
            if shown and verbosity >= 1:
                self.stdout.write("First warnings:")
                for warning in shown:
                    self.stdout.write(f"  {warning}")
