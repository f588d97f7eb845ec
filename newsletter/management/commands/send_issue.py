"""`manage.py send_issue`: send an issue (queued for the db_worker) with a progress bar,
schedule it, or send a test; ends with the issue's report (newsletter.inbound.report)."""

import argparse
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from newsletter import sending
from newsletter.inbound.report import figure_lines, issue_report
from newsletter.models import Issue

NO_WORKER_HINT = (
    "Nothing has moved for {seconds} s: is a worker running? Start one with "
    "`python manage.py db_worker` (the sending carries on in the background either way)."
)


class Command(BaseCommand):
    help = (
        "Send a newsletter issue to every active subscriber (queued for the db_worker), "
        "with a progress bar until it is out, then its report (delivered, bounced, "
        "complained, unsubscribed); or a test to one address."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", type=int, help="The issue number.")
        parser.add_argument(
            "--test", metavar="EMAIL", help="Send only a test, to this address, right away."
        )
        parser.add_argument(
            "--at",
            metavar="DATETIME",
            help="Schedule instead of sending now, e.g. 2026-11-30T08:00 (site time zone).",
        )
        parser.add_argument(
            "--no-wait", action="store_true", help="Queue it and return without a progress bar."
        )
        parser.add_argument("--stall-seconds", type=float, default=30, help=argparse.SUPPRESS)

    def handle(self, *args, number, test=None, at=None, no_wait=False, **options):
        issue = Issue.objects.filter(number=number).first()
        if issue is None:
            raise CommandError(f"There is no issue #{number}.")
        if test:
            try:
                sending.send_test(issue, test)
            except Exception as error:
                raise CommandError(f"The test could not be sent: {error}") from error
            self.stdout.write(f"Sent a test of Issue #{number} to {test}.")
            return
        try:
            if at:
                self._schedule(issue, at)
                return
            if issue.sending_started_at:
                self.stdout.write(f"Issue #{number} was already sent; showing its progress.")
            else:
                count = sending.start_sending(issue)
                self.stdout.write(f"Sending Issue #{number} to {count:,} subscribers.")
        except sending.SendingError as error:
            raise CommandError(str(error)) from error
        if not no_wait:
            self._watch(issue, options["stall_seconds"])
        self._report(issue)

    def _schedule(self, issue, value):
        when = parse_datetime(value)
        if when is None:
            raise CommandError(f"“{value}” is not a date and time like 2026-11-30T08:00.")
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        sending.schedule_send(issue, when)
        self.stdout.write(
            f"Issue #{issue.number} will be sent at {timezone.localtime(when):%Y-%m-%d %H:%M %Z}."
        )

    def _report(self, issue):
        """What is known so far: the deliveries, the refusals during sending, whatever
        bounces and complaints have come back already."""
        issue.refresh_from_db(fields=["sending_started_at"])
        self.stdout.write(
            f"Report for Issue #{issue.number} so far (bounces and complaints keep arriving "
            "for days; the issue's page in the admin shows them as they come):"
        )
        report = issue_report(issue)
        for line in figure_lines(report):
            self.stdout.write(line)
        for warning in report["warnings"]:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))

    def _watch(self, issue, stall_seconds):
        counts = issue.delivery_counts()
        out = getattr(self.stdout, "_out", sys.stdout)
        last_done, last_change, hinted = counts["done"], time.monotonic(), False
        try:
            with tqdm(total=counts["total"], initial=counts["done"], unit="email", file=out) as bar:
                while counts["done"] < counts["total"]:
                    time.sleep(0.5)
                    counts = issue.delivery_counts()
                    bar.update(counts["done"] - bar.n)
                    bar.set_postfix(failed=counts["failed"], refresh=False)
                    if counts["done"] != last_done:
                        last_done, last_change = counts["done"], time.monotonic()
                    elif not hinted and time.monotonic() - last_change > stall_seconds:
                        bar.write(NO_WORKER_HINT.format(seconds=int(stall_seconds)), file=out)
                        hinted = True
        except KeyboardInterrupt:
            self.stdout.write("\nStopped watching; the worker carries on sending.")
            return
        self.stdout.write(
            f"Issue #{issue.number}: {counts['sent']:,} sent, {counts['failed']:,} failed, "
            f"{counts['skipped']:,} skipped."
        )
