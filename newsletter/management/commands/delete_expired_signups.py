from django.conf import settings
from django.core.management.base import BaseCommand

from newsletter.models import Subscriber
from newsletter.subscriptions import expired_pending


class Command(BaseCommand):
    help = (
        "Delete pending signups that were not confirmed within "
        "NEWSLETTER_CONFIRM_MAX_AGE_DAYS (their links have expired). Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say how many would be deleted."
        )

    def handle(self, *args, dry_run=False, **options):
        expired = expired_pending()
        days = settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS
        if dry_run:
            count = expired.count()
            self.stdout.write(f"{count} pending signup(s) older than {days} days would go.")
            return
        _total, by_model = expired.delete()  # the total counts their topic rows too
        count = by_model.get(Subscriber._meta.label, 0)
        self.stdout.write(f"Deleted {count} pending signup(s) older than {days} days.")
