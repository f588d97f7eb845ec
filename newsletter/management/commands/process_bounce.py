import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsletter.inbound import messages


class Command(BaseCommand):
    help = (
        "Read raw messages (RFC 822 files, as saved from a mailbox) and apply them as the "
        "bounce mailbox poller would: bounces, complaints, unsubscribes by email, "
        "auto-replies. Prints one JSON object per file."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="a raw message (.eml)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what each file means; change nothing."
        )

    def handle(self, *args, files, dry_run=False, **options):
        missing = [name for name in files if not Path(name).is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        # Read no more of a file than a message may be: an enormous one is kept aside
        # (messages.read says it is too large), not loaded whole into memory.
        limit = settings.NEWSLETTER_UNRECOGNISED_MAX_BYTES + 1
        for name in files:
            with open(name, "rb") as file:
                raw = file.read(limit)
            results = messages.handle(raw, source="file", dry_run=dry_run)
            # One line per file: the finding that acted, else the first (a message about
            # several recipients is rare: the newsletter sends one recipient per message).
            shown = next((r for r in results if r.applied), results[0])
            line = {
                "file": name,
                "kind": shown.kind,
                "recipient": shown.recipient,
                "subscriber": shown.subscriber,
                "applied": shown.applied,
            }
            self.stdout.write(json.dumps(line))
