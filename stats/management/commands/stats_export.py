import csv
import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stats import figures
from stats.recorder import recorder


class Command(BaseCommand):
    help = (
        "Print the daily figures: views and visitors per path, downloads per episode, feed "
        "subscribers and the list's figures. JSON: one object per line, each with a `kind` "
        '(paths have the shape {"date", "path", "views", "visitors"}).'
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="From this day (YYYY-MM-DD); default: everything.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, since=None, format="json", **options):
        try:
            first = date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError(f"--since {since!r}: write the day as YYYY-MM-DD.") from None
        recorder.flush()
        span = figures.Span(first or date(2000, 1, 1), timezone.localdate())
        rows = [
            {"date": day.isoformat(), "path": path, "views": views, "visitors": visitors}
            for day, path, views, visitors in figures.daily_paths(first)
        ]
        extra = [
            {"kind": "downloads", "episode": title, "path": path, "downloads": n}
            for title, path, n in figures.episode_downloads(span)
        ] + [
            {"kind": "feed_subscribers", "feed": feed, "aggregator": name, "subscribers": n}
            for feed, name, n in figures.feed_subscribers(span)
        ] + [
            {"kind": "list", "date": day.isoformat(), "signups": a, "confirmations": b,
             "unsubscribes": c, "suppressions": d}
            for day, a, b, c, d in figures.list_daily(span)
            if a or b or c or d
        ]  # fmt: skip
        if format == "json":
            for row in rows:
                self.stdout.write(json.dumps(row))
            for row in extra:
                self.stdout.write(json.dumps(row))
            return
        writer = csv.writer(self.stdout)
        writer.writerow(["kind", "date", "path", "views", "visitors"])
        for row in rows:
            writer.writerow(["path", row["date"], row["path"], row["views"], row["visitors"]])
        for row in extra:
            writer.writerow(
                [
                    row["kind"],
                    row.get("date", ""),
                    row.get("path") or row.get("feed", ""),
                    row.get("downloads") or row.get("subscribers") or row.get("signups", ""),
                    "",
                ]
            )
