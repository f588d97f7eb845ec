"""The daily figures the dashboard charts and `stats_export` prints, read from the
aggregates (and, for the list, from the subscribers' own dates)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate

from blog.models import Post
from newsletter.models import Delivery, Issue, MailEvent, Subscriber
from stats.models import DailyCrawler, DailyDownload, DailyFeed, DailyPath, DailyReferrer


@dataclass(frozen=True)
class Span:
    first: date
    last: date

    @classmethod
    def ending(cls, last: date, days: int) -> "Span":
        return cls(last - timedelta(days=days - 1), last)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def q(self, field: str = "day") -> Q:
        return Q(**{f"{field}__gte": self.first, f"{field}__lte": self.last})


def site_daily(span: Span) -> list[tuple[date, int, int]]:
    """(day, views, unique visitors) of the whole site, every day of the span."""
    rows = DailyPath.objects.filter(span.q(), path="").values_list("day", "views", "visitors")
    found = {day: (views, visitors) for day, views, visitors in rows}
    return [(day, *found.get(day, (0, 0))) for day in span.days()]


def top_pages(span: Span, limit: int = 15) -> list[tuple[str, int, int]]:
    """(path, views, visitors summed over the days) — a visitor on two days counts twice."""
    rows = (
        DailyPath.objects.filter(span.q())
        .exclude(path="")
        .values("path")
        .annotate(v=Sum("views"), u=Sum("visitors"))
        .order_by("-v", "path")
    )
    return [(row["path"], row["v"], row["u"]) for row in rows[:limit]]


def top_referrers(span: Span, limit: int = 15) -> list[tuple[str, str, int]]:
    rows = (
        DailyReferrer.objects.filter(span.q())
        .values("source", "campaign")
        .annotate(v=Sum("views"))
        .order_by("-v", "source")
    )
    return [(row["source"], row["campaign"], row["v"]) for row in rows[:limit]]


def feed_subscribers(span: Span) -> list[tuple[str, str, int]]:
    """(feed, aggregator, subscribers): each aggregator's latest report in the span."""
    latest = (
        DailyFeed.objects.filter(span.q())
        .exclude(aggregator="")
        .values("feed", "aggregator")
        .annotate(last=Max("day"))
    )
    found = []
    for row in latest:
        figure = (
            DailyFeed.objects.filter(
                day=row["last"], feed=row["feed"], aggregator=row["aggregator"]
            )
            .values_list("subscribers", flat=True)
            .first()
        )
        found.append((row["feed"], row["aggregator"], figure or 0))
    return sorted(found, key=lambda item: (-item[2], item[0]))


def feed_fetchers(span: Span) -> list[tuple[date, int]]:
    rows = dict(
        DailyFeed.objects.filter(span.q(), aggregator="")
        .values_list("day")
        .annotate(n=Sum("fetchers"))
        .order_by()
    )
    return [(day, rows.get(day, 0)) for day in span.days()]


def crawler_requests(span: Span) -> list[tuple[str, int, int, int]]:
    """(family, served, refused, limited) over the span, busiest first."""
    rows = (
        DailyCrawler.objects.filter(span.q()).values("family")
        .annotate(s=Sum("served"), r=Sum("refused"), l=Sum("limited"))
    )  # fmt: skip
    found = [(row["family"], row["s"], row["r"], row["l"]) for row in rows]
    return sorted(found, key=lambda item: (-(item[1] + item[2] + item[3]), item[0]))


def episode_downloads(span: Span) -> list[tuple[str, str, int]]:
    """(episode title, audio path, downloads)."""
    rows = (
        DailyDownload.objects.filter(span.q())
        .values("path")
        .annotate(n=Sum("downloads"))
        .order_by("-n", "path")
    )
    names = [row["path"].removeprefix(settings.MEDIA_URL) for row in rows]
    titles = dict(Post.objects.filter(audio__in=names).values_list("audio", "title"))
    return [
        (
            titles.get(row["path"].removeprefix(settings.MEDIA_URL), row["path"]),
            row["path"],
            row["n"],
        )
        for row in rows
    ]


LIST_DATES = {
    "signups": "created_at",
    "confirmations": "confirmed_at",
    "unsubscribes": "unsubscribed_at",
    "suppressions": "suppressed_at",
}


def list_daily(span: Span) -> list[tuple[date, int, int, int, int]]:
    """(day, signups, confirmations, unsubscribes, suppressions), from the subscribers'
    own dates: nothing extra is stored for it."""
    series = {}
    for name, field in LIST_DATES.items():
        rows = (
            Subscriber.objects.filter(span.q(f"{field}__date"))
            .annotate(d=TruncDate(field))
            .values_list("d")
            .annotate(n=Count("pk"))
            .order_by()
        )
        series[name] = dict(rows)
    return [(day, *(series[name].get(day, 0) for name in LIST_DATES)) for day in span.days()]


def issue_figures(limit: int = 10) -> list[dict]:
    """The latest sent emails with their delivery figures, bounces and complaints."""
    issues = list(
        Issue.objects.filter(sending_started_at__isnull=False).order_by("-sending_started_at")[
            :limit
        ]
    )
    counts = {
        (row["issue_id"], row["status"]): row["n"]
        for row in Delivery.objects.filter(issue__in=issues)
        .values("issue_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    events = {
        (row["delivery__issue_id"], row["kind"]): row["n"]
        for row in MailEvent.objects.filter(delivery__issue__in=issues)
        .values("delivery__issue_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [
        {
            "issue": issue,
            "sent": counts.get((issue.pk, "sent"), 0),
            "failed": counts.get((issue.pk, "failed"), 0),
            "bounced": events.get((issue.pk, "hard"), 0) + events.get((issue.pk, "soft"), 0),
            "complaints": events.get((issue.pk, "complaint"), 0),
        }
        for issue in issues
    ]


def daily_paths(since: date | None):
    """Every (day, path, views, visitors), oldest first (the export)."""
    rows = DailyPath.objects.exclude(path="").order_by("day", "path")
    if since:
        rows = rows.filter(day__gte=since)
    return rows.values_list("day", "path", "views", "visitors").iterator()
