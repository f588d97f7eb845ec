"""The statistics dashboard in the admin (/admin/stats/): the last 7, 30 or 365 days of
views and visitors, top pages and referrers, feed subscribers, downloads per episode, list
growth and each email's figures; every chart with its table and a CSV download."""

import csv

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from stats import charts, figures, recorder

SPANS = (7, 30, 365)


def _tables(span: figures.Span) -> dict[str, tuple[list[str], list[tuple]]]:
    """Each chart's figures as (headers, rows): the tables and the CSV downloads."""
    site = figures.site_daily(span)
    return {
        "traffic": (["day", "views", "visitors"], site),
        "pages": (["path", "views", "visitor-days"], figures.top_pages(span)),
        "referrers": (["source", "campaign", "views"], figures.top_referrers(span)),
        "feeds": (["feed", "aggregator", "subscribers"], figures.feed_subscribers(span)),
        "fetchers": (["day", "distinct feed fetchers"], figures.feed_fetchers(span)),
        "downloads": (["episode", "file", "downloads"], figures.episode_downloads(span)),
        "crawlers": (
            ["family", "served", "refused (403)", "rate limited (429)"],
            figures.crawler_requests(span),
        ),
        "list": (
            ["day", "signups", "confirmations", "unsubscribes", "suppressions"],
            figures.list_daily(span),
        ),
    }


def dashboard(request):
    if not request.user.has_perm("stats.view_dailypath"):
        raise PermissionDenied
    recorder.recorder.flush()  # this process's last seconds, so the author sees them
    asked = request.GET.get("days", "")
    days = int(asked) if asked.isdigit() and int(asked) in SPANS else 30
    span = figures.Span.ending(timezone.localdate(), days)
    tables = _tables(span)
    if name := request.GET.get("csv"):
        if name not in tables:
            raise Http404("No such table.")
        return _csv(name, span, *tables[name])
    site = tables["traffic"][1]
    list_rows = tables["list"][1]
    context = {
        **admin.site.each_context(request),
        "title": "Statistics",
        "days": days,
        "spans": SPANS,
        "span": span,
        "tables": tables,
        "totals": {
            "views": sum(r[1] for r in site),
            "visitors": sum(r[2] for r in site),
            "signups": sum(r[1] for r in list_rows),
            "downloads": sum(r[2] for r in tables["downloads"][1]),
        },
        "traffic_chart": charts.bars(
            [(d, v) for d, v, _ in site],
            "Views per day, with visitors",
            second=[u for _, _, u in site],
        ),
        "pages_chart": charts.hbars([(p, v) for p, v, _ in tables["pages"][1]], "Top pages"),
        "referrers_chart": charts.hbars(
            [(f"{s} · {c}" if c else s, v) for s, c, v in tables["referrers"][1]], "Top referrers"
        ),
        "feeds_chart": charts.hbars(
            [(f"{a} ({f})", n) for f, a, n in tables["feeds"][1]], "Feed subscribers"
        ),
        "fetchers_chart": charts.bars(tables["fetchers"][1], "Distinct feed fetchers per day"),
        "downloads_chart": charts.hbars(
            [(t, n) for t, _, n in tables["downloads"][1]], "Downloads per episode"
        ),
        "crawlers_chart": charts.hbars(
            [(f, s + r + n) for f, s, r, n in tables["crawlers"][1]], "Crawler requests"
        ),
        "list_chart": charts.bars(
            [(r[0], r[2]) for r in list_rows],
            "Confirmed signups per day",
            second=[r[3] + r[4] for r in list_rows],
        ),
        "issues": figures.issue_figures(),
        "flush_seconds": settings.STATS_FLUSH_SECONDS,
    }
    return TemplateResponse(request, "admin/stats/dashboard.html", context)


def _csv(name, span, headers, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="stats-{name}-{span.first}-{span.last}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(headers)
    writer.writerows(rows)
    return response
