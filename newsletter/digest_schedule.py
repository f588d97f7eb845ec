"""Drafting the next issue on a schedule (the site settings: weekday and time, in the
site's time zone), emailing the author to review it, and sending it at once only when
the author ticked that.

One task per scheduled time: `SiteSettings.digest_next_at` holds the time the live task
is for. Saving the settings or starting a worker arms the schedule (`arm`): it enqueues a
task only when the next time is not the one already armed, or when the armed one is long
past (its task was lost). A task runs only if it wins its time by a conditional UPDATE
that moves `digest_next_at` on, so two tasks for one time draft once, and a task left
from an older schedule does nothing. The task lives in newsletter.tasks, which passes in
how to enqueue the next one (`EnqueueDraft`).
"""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import mail_admins, send_mail
from django.urls import reverse
from django.utils import timezone

from core.models import SiteSettings, Status
from newsletter import digest, queueing
from newsletter.retry_policy import can_defer

logger = logging.getLogger(__name__)

# Enqueue draft_scheduled_issue for this time, to run then.
EnqueueDraft = Callable[[datetime.datetime], object]
# An armed time this far in the past means its task was lost: arm again.
LOST_AFTER = datetime.timedelta(hours=1)


def next_time(site: SiteSettings, after: datetime.datetime) -> datetime.datetime | None:
    """The first scheduled time strictly after `after`, or None with no schedule."""
    if site.digest_weekday == "":
        return None
    local = timezone.localtime(after)
    day = local.date() + datetime.timedelta(days=(int(site.digest_weekday) - local.weekday()) % 7)
    for week in range(2):
        naive = datetime.datetime.combine(day + datetime.timedelta(weeks=week), site.digest_time)
        candidate = timezone.make_aware(naive)
        if candidate > after:
            return candidate
    return None


def arm(enqueue: EnqueueDraft, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Make sure one task waits for the next scheduled time (none without a schedule)."""
    now = now or timezone.now()
    site = SiteSettings.get_solo()
    armed = site.digest_next_at
    wanted = next_time(site, now)
    if armed == wanted:  # already armed for it, or no schedule and nothing armed
        return armed
    if armed is not None and armed > now - LOST_AFTER and wanted is not None and armed < wanted:
        return armed  # due any moment: its task is waiting to run
    if wanted is not None and not can_defer():
        logger.warning("The task backend cannot run tasks later: no scheduled drafts.")
        wanted = None
    SiteSettings.objects.filter(pk=site.pk).update(digest_next_at=wanted)
    if wanted is not None:
        enqueue(wanted)
    return wanted


def run(
    at: str,
    enqueue: EnqueueDraft,
    enqueue_runs: queueing.EnqueueRuns,
    now: datetime.datetime | None = None,
) -> str:
    """The task at its time: draft, tell the author, maybe send; then arm the next time."""
    now = now or timezone.now()
    at_time = datetime.datetime.fromisoformat(at)
    site = SiteSettings.get_solo()
    following = next_time(site, max(now, at_time))
    won = SiteSettings.objects.filter(pk=site.pk, digest_next_at=at_time).update(
        digest_next_at=following
    )
    if not won:
        return "not the armed time (rescheduled, or already run)"
    if following is not None:
        enqueue(following)
    try:
        issue = digest.draft_next_issue(now, source_key=f"digest:{at_time:%Y-%m-%dT%H:%M}")
    except (digest.NothingNew, digest.TemplateError) as error:
        tell_author(f"No newsletter draft this time: {error}", str(error))
        return str(error)
    if site.digest_auto_send:
        issue.status, issue.published_at = Status.PUBLISHED, now
        issue.save()
        try:
            count = queueing.start_sending(issue, enqueue_runs)
        except queueing.SendingError as error:
            tell_author(f"Issue #{issue.number} was drafted but not sent", str(error))
            return str(error)
        tell_author(
            f"Issue #{issue.number} is on its way to {count:,} subscribers",
            f"{issue.title} ({issue.subtitle}) was drafted and sent automatically.\n\n"
            f"{_admin_link(issue)}",
        )
        return f"sent issue #{issue.number}"
    tell_author(
        f"Issue #{issue.number} is ready for your review",
        f"The next issue was drafted from what you published: {issue.subtitle}.\n\n"
        f"Review, publish and send it here:\n{_admin_link(issue)}\n",
    )
    return f"drafted issue #{issue.number}"


def _admin_link(issue) -> str:
    return settings.SITE_URL + reverse("admin:newsletter_issue_change", args=[issue.pk])


def tell_author(subject: str, body: str) -> None:
    """The staff who can publish, by email (the site settings' address otherwise)."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    recipients = sorted({user.email for user in users}) or [
        address for address in [SiteSettings.get_solo().email] if address
    ]
    if not recipients:
        mail_admins(subject, body, fail_silently=True)
        return
    name = SiteSettings.get_solo().newsletter_name
    send_mail(f"[{name}] {subject}", body, None, recipients)
