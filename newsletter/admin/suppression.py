"""Suppression in the subscriber admin: the "Suppressed" filter, the subscriber's mail
events (why an address is suppressed), and lifting a suppression."""

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from newsletter.models import Subscriber


class SuppressedFilter(admin.SimpleListFilter):
    title = "suppressed"
    parameter_name = "suppressed"

    def lookups(self, request, model_admin):
        return [("yes", "Suppressed"), ("no", "Not suppressed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(suppressed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(suppressed_at__isnull=True)
        return queryset


# The subscriber's page lists this many of the latest events; the mail event list has all.
EVENTS_SHOWN = 50


def mail_events_table(subscriber: Subscriber) -> str:
    """What the mail system told us about this address, newest first: kind, time,
    diagnostic, source, outcome (read-only, a table rather than an inline so the
    subscriber's form stays a plain form)."""
    if subscriber.pk is None:
        return "–"
    events = list(subscriber.mail_events.order_by("-occurred_at", "-pk")[: EVENTS_SHOWN + 1])
    if not events:
        return "None: no bounce, complaint or reply about this address."
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                e.get_kind_display(),
                f"{timezone.localtime(e.occurred_at):%Y-%m-%d %H:%M}",
                e.diagnostic or "–",
                e.source,
                e.outcome,
            )
            for e in events[:EVENTS_SHOWN]
        ),
    )
    more = ""
    if len(events) > EVENTS_SHOWN:
        url = reverse("admin:newsletter_mailevent_changelist") + f"?subscriber={subscriber.pk}"
        more = format_html(
            '<p><a href="{}">Every event</a> (the latest {} are shown).</p>', url, EVENTS_SHOWN
        )
    return format_html(
        '<table class="mail-events"><thead><tr><th scope="col">Kind</th>'
        '<th scope="col">When</th><th scope="col">Diagnostic</th><th scope="col">Source</th>'
        '<th scope="col">Outcome</th></tr></thead><tbody>{}</tbody></table>{}',
        rows,
        more,
    )


def suppression_text(subscriber: Subscriber) -> str:
    if subscriber.suppressed_at is None:
        return "–"
    when = timezone.localtime(subscriber.suppressed_at)
    reason = f": {subscriber.suppression_reason}" if subscriber.suppression_reason else ""
    return f"Since {when:%Y-%m-%d %H:%M}{reason}"


def lift_suppression(queryset, user_id: int) -> dict[str, int]:
    """Lift the suppression of these subscribers (and the bounced status it brought):
    a bounced address that had confirmed is active again, one that never confirmed is
    pending (it needs a confirmation email); an unsubscribed one stays unsubscribed.
    Returns how many went each way, and records it in each subscriber's history."""
    lifted = list(
        queryset.filter(Q(suppressed_at__isnull=False) | Q(status=Subscriber.Status.BOUNCED)).only(
            "pk", "email", "status", "confirmed_at"
        )
    )
    now = timezone.now()
    ids = [s.pk for s in lifted]
    chosen = Subscriber.objects.filter(pk__in=ids)
    chosen.update(suppressed_at=None, suppression_reason="", updated_at=now)
    bounced = chosen.filter(status=Subscriber.Status.BOUNCED)
    active = bounced.filter(confirmed_at__isnull=False).update(status=Subscriber.Status.ACTIVE)
    pending = bounced.filter(confirmed_at__isnull=True).update(status=Subscriber.Status.PENDING)
    LogEntry.objects.log_actions(
        user_id=user_id,
        queryset=lifted,
        action_flag=CHANGE,
        change_message="Suppression lifted.",
        single_object=False,
    )
    return {
        "lifted": len(lifted),
        "active": active,
        "pending": pending,
        "unsubscribed": sum(s.status == Subscriber.Status.UNSUBSCRIBED for s in lifted),
    }


def lift_message(counts: dict[str, int]) -> str:
    if not counts["lifted"]:
        return "None of the selected subscribers was suppressed: nothing changed."
    parts = []
    if counts["active"]:
        parts.append(f"{counts['active']} back to active (they get the next issue)")
    if counts["pending"]:
        parts.append(
            f"{counts['pending']} back to pending confirmation (they never confirmed: "
            "send them the confirmation email again if they want it)"
        )
    if counts["unsubscribed"]:
        parts.append(f"{counts['unsubscribed']} stay unsubscribed")
    detail = f": {'; '.join(parts)}" if parts else ""
    return f"Lifted the suppression of {counts['lifted']} subscriber(s){detail}."
