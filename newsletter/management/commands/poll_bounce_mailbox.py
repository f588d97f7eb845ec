import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsletter.inbound import mailbox, polling


class Command(BaseCommand):
    help = (
        "Read the bounce mailbox (NEWSLETTER_BOUNCE_MAILBOX_URL) once, now, and print what "
        "was found as JSON. The workers poll it on their own every "
        "NEWSLETTER_BOUNCE_POLL_SECONDS; this is for trying a configuration."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what the messages are; apply, keep and move nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        if not settings.NEWSLETTER_BOUNCE_MAILBOX_URL:
            raise CommandError("NEWSLETTER_BOUNCE_MAILBOX_URL is not set.")
        try:
            summary = polling.poll_once(dry_run=dry_run)
        except mailbox.MailboxURLError as error:
            raise CommandError(f"NEWSLETTER_BOUNCE_MAILBOX_URL: {error}") from None
        except mailbox.MailboxUnavailable as error:
            raise CommandError(f"The bounce mailbox could not be read: {error}") from None
        self.stdout.write(json.dumps(summary))
