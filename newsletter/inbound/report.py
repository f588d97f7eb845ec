"""What became of one issue after sending: delivered, bounced, complained, unsubscribed,
each with its rate, and a warning when a rate reaches what mail providers act on.

Shown on the issue's page in the admin and at the end of `manage.py send_issue`. Three
queries whatever the size of the list: the next issue's start, the deliveries (with their
subscribers' unsubscribe times), the mail events.

A bounce or complaint counts for this issue when its delivery is one of the issue's; when
no delivery is known (a bounce matched only by its address), when it came from one of the
issue's recipients after the issue went out and before the next one, within
UNMATCHED_EVENT_DAYS. Each figure counts people, not events: three soft bounces from one
address are one soft-bounced recipient.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q

from newsletter.models import Delivery, Issue, MailEvent

Kind = MailEvent.Kind

# Mail servers stop retrying after a few days (Postfix's maximal_queue_lifetime is 5 days,
# Exim's default retry rules 4), so a bounce later than this is not about the issue.
UNMATCHED_EVENT_DAYS = 7

# Amazon SES reviews an account at a 5 % bounce rate and may pause its sending at 10 %;
# it reviews at 0.1 % complaints and may pause at 0.5 %. Gmail asks bulk senders to stay
# under 0.1 % spam reports and never reach 0.3 %.
BOUNCE_WARNING = (
    "{rate} of this issue's deliveries bounced (hard and soft). Amazon SES reviews an "
    "account at a 5 % bounce rate and may pause its sending at 10 %; other providers "
    "(Postmark, Mailgun, SendGrid) act at similar rates. Hard-bounced addresses are "
    "suppressed already, soft ones after {soft_limit} in {soft_days} days. Before the "
    "next issue, look at where these addresses came from (an old or imported list whose "
    "addresses never confirmed bounces like this), and lift a suppression only for an "
    "address you know works again."
)
COMPLAINT_WARNING = (
    "{rate} of this issue's deliveries were reported as spam. Amazon SES reviews an "
    "account at 0.1 % complaints and may pause its sending at 0.5 %; Gmail asks bulk "
    "senders to stay under 0.1 % and never reach 0.3 %. The complainers are unsubscribed "
    "and suppressed already. Make the unsubscribe link easy to find at the top of the "
    "email, send only to people who confirmed, and say in each issue why they get it."
)


def rate(count: int, total: int) -> float | None:
    return count / total if total else None


def rate_text(value: float | None) -> str:
    """0.0523 → "5.2 %"; small rates keep two decimals (0.0012 → "0.12 %")."""
    if value is None:
        return "–"
    percent = value * 100
    if percent and percent < 1:
        return f"{percent:.2f} %"
    return f"{percent:.1f} %"


def _window(issue: Issue):
    """Events without a known delivery count from the issue's start until the next issue
    went out, or UNMATCHED_EVENT_DAYS later, whichever comes first."""
    start = issue.sending_started_at
    next_start = (
        Issue.objects.filter(sending_started_at__gt=start)
        .order_by("sending_started_at")
        .values_list("sending_started_at", flat=True)
        .first()
    )
    end = start + timedelta(days=UNMATCHED_EVENT_DAYS)
    return start, (min(end, next_start) if next_start else end), next_start


def _delivery_figures(issue: Issue, start, next_start) -> dict[str, int]:
    unsubscribed = Q(subscriber__unsubscribed_at__gt=start)
    if next_start:
        unsubscribed &= Q(subscriber__unsubscribed_at__lt=next_start)
    return Delivery.objects.filter(issue=issue).aggregate(
        recipients=Count("pk"),
        delivered=Count("pk", filter=Q(status=Delivery.Status.SENT)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        unsubscribed=Count("pk", filter=unsubscribed),
    )


def _event_figures(issue: Issue, start, end) -> dict[str, int]:
    recipient = Exists(Delivery.objects.filter(issue=issue, subscriber=OuterRef("subscriber")))
    about_issue = Q(delivery__issue=issue) | (
        Q(delivery__isnull=True, occurred_at__gte=start, occurred_at__lt=end) & recipient
    )
    events = MailEvent.objects.filter(about_issue, subscriber__isnull=False)

    def people(*kinds):
        return Count("subscriber", filter=Q(kind__in=kinds), distinct=True)

    return events.aggregate(
        hard_bounces=people(Kind.HARD),
        soft_bounces=people(Kind.SOFT),
        bounced=people(Kind.HARD, Kind.SOFT),
        complaints=people(Kind.COMPLAINT),
    )


# (key, label, denominator) in the order the report shows them.
ROWS = [
    ("recipients", "Recipients", None),
    ("delivered", "Delivered", "recipients"),
    ("failed", "Failed", "recipients"),
    ("bounced", "Bounced", "delivered"),
    ("hard_bounces", "Hard bounces", "delivered"),
    ("soft_bounces", "Soft bounces", "delivered"),
    ("complaints", "Complaints", "delivered"),
    ("unsubscribed", "Unsubscribed after this issue", "delivered"),
]


def issue_report(issue: Issue) -> dict:
    """The issue's figures (see the module's docstring). Keys: the counts named in ROWS,
    "rates" (each count over its denominator, None when that is 0), "rows" (label, count,
    rate text) for display, "warnings" (sentences for the author), "sent_at" and
    "counted_until" (the window for events without a known delivery). An issue not sent
    yet has zeros and no warnings."""
    figures = dict.fromkeys((key for key, _, _ in ROWS), 0)
    start = issue.sending_started_at
    end = None
    if start is not None:
        start, end, next_start = _window(issue)
        figures.update(_delivery_figures(issue, start, next_start))
        figures.update(_event_figures(issue, start, end))
    rates = {key: rate(figures[key], figures[base]) if base else None for key, _, base in ROWS}
    return {
        **figures,
        "sent_at": start,
        "counted_until": end,
        "rates": rates,
        "rows": [
            (label, figures[key], rate_text(rates[key]) if base else "")
            for key, label, base in ROWS
        ],
        "warnings": rate_warnings(rates),
    }


def rate_warnings(rates: dict[str, float | None]) -> list[str]:
    """A sentence for each rate that reached the threshold providers act on."""
    found = []
    bounce_rate, complaint_rate = rates["bounced"], rates["complaints"]
    if bounce_rate is not None and bounce_rate >= settings.NEWSLETTER_BOUNCE_RATE_WARNING:
        found.append(
            BOUNCE_WARNING.format(
                rate=rate_text(bounce_rate),
                soft_limit=settings.NEWSLETTER_SOFT_BOUNCE_LIMIT,
                soft_days=settings.NEWSLETTER_SOFT_BOUNCE_DAYS,
            )
        )
    if complaint_rate is not None and complaint_rate >= settings.NEWSLETTER_COMPLAINT_RATE_WARNING:
        found.append(COMPLAINT_WARNING.format(rate=rate_text(complaint_rate)))
    return found


def figure_lines(report: dict) -> list[str]:
    """The report's figures as plain text lines (for send_issue's output)."""
    return [
        f"  {label}: {count:,}" + (f" ({shown})" if shown else "")
        for label, count, shown in report["rows"]
    ]
