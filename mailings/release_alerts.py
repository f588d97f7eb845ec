"""Release alerts: publishing a release emails the followers of its project's topic,
exactly once.

Once: the alert is an Issue whose `source_key` ("release:<id>") is unique, created the
first time the release is saved as published, so saving it again, editing it afterwards or
two saves at once never make a second one; its deliveries are the newsletter's, exactly
once per subscriber across killed workers. A scheduled release's alert is scheduled for
the release's time (moved with it, cancelled if it goes back to draft before then).

Only new releases: one published more than ALERT_WINDOW ago when first saved (an import
of old releases, a changelog backfill) gets no alert; the release's admin page says so.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core import admintools, bulk
from core.models import Status
from mailings import following, project_topics
from newsletter import sending
from newsletter.models import Issue
from projects.models import Release

logger = logging.getLogger(__name__)

ALERT_WINDOW = timedelta(days=2)


def source_key(release: Release) -> str:
    return f"release:{release.pk}"


def alert_for(release: Release) -> Issue | None:
    return Issue.objects.filter(source_key=source_key(release)).first()


def alert_body(release: Release) -> str:
    parts = [release.summary.strip()]
    if release.notes.strip():
        parts += ["## Release notes", release.notes.strip()]
    links = [f"[This release on the site]({release.get_absolute_url()})"]
    if release.project.repository_url:
        links.append(f"[Repository]({release.project.repository_url})")
    parts.append(" · ".join(links))
    return "\n\n".join(part for part in parts if part) + "\n"


def build(release: Release) -> Issue:
    """The release's alert, not saved (what the preview shows before it is published)."""
    topic = project_topics.topic_for(release.project) or project_topics.sync(release.project)
    return Issue(
        kind=Issue.Kind.RELEASE,
        source_key=source_key(release),
        source_url=release.get_absolute_url(),
        topic=topic,
        title=release.title,
        subtitle=f"{release.project.name} release",
        body=alert_body(release),
        status=Status.PUBLISHED,
        published_at=release.published_at,
        on_web=False,
    )


def _sync_schedule(alert: Issue, release: Release) -> None:
    """An unsent alert follows its release: its time, or back to nothing as a draft."""
    try:
        following.follow(alert, release.status, release.published_at)
    except sending.SendingError as error:  # e.g. a task backend that cannot defer
        logger.error("Release alert for %s not sent: %s", release, error)


def _send_or_schedule(alert: Issue, release: Release) -> None:
    try:
        following.send_or_schedule(alert, release.published_at)
    except sending.SendingError as error:  # e.g. a task backend that cannot defer
        logger.error("Release alert for %s not sent: %s", release, error)


def ensure_alert(release: Release) -> Issue | None:
    """The release's alert: created and sent (or scheduled) the first time it is
    published, kept in step while unsent, never sent twice."""
    alert = alert_for(release)
    if alert is not None:
        _sync_schedule(alert, release)
        return alert
    if release.status != Status.PUBLISHED:
        return None
    if release.published_at < timezone.now() - ALERT_WINDOW:
        return None  # an old release arriving now: not news
    alert = build(release)
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:  # another save made it meanwhile
        return alert_for(release)
    _send_or_schedule(alert, release)
    return alert


def on_release_saved(sender, instance: Release, raw=False, **kwargs):
    if not raw and not bulk.in_progress():  # an import or the demo: not news
        ensure_alert(instance)


def status_note(alert: Issue | None, release: Release) -> str:
    if alert is None:
        if release.status == Status.PUBLISHED:
            return "No release alert: it was already more than two days old when published."
        return "Its followers get a release alert by email when it is published."
    counts = alert.delivery_counts()
    if alert.sending_started_at:
        when = timezone.localtime(alert.sending_started_at)
        return f"Release alert sent to {counts['sent']:,} follower(s), {when:%Y-%m-%d %H:%M}."
    if alert.send_at:
        when = timezone.localtime(alert.send_at)
        return f"Release alert scheduled for {when:%Y-%m-%d %H:%M}, when it is published."
    return "Release alert not sent (the release is a draft)."


def admin_tools(request, release: Release) -> admintools.ObjectTools:
    alert = alert_for(release)
    preview = reverse("admin:newsletter_email_preview", args=["release", release.pk])
    tools = [admintools.Tool("Preview alert email", preview)]
    if alert is not None:
        url = reverse("admin:newsletter_issue_send", args=[alert.pk])
        tools.append(admintools.Tool("Alert progress", url))
    return admintools.ObjectTools(tools, [status_note(alert, release)])
