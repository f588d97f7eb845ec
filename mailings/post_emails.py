"""Posts by email: from a post's admin page ("Send to subscribers"), or by themselves for
each new post when the site settings say so ("email new posts"), to the followers of the
"Every new post" topic.

The email is an Issue made from the post (`source_key` "post:<id>", unique: one email per
post, ever) with the post's full text or its excerpt and "Continue reading", as the author
chooses. A published post's email goes at once; a scheduled post's goes when it is
published (moved with the post, cancelled if the post goes back to draft). Automatic
emails are only for posts published from now on: a post older than NEW_POST_WINDOW when
first saved (an import) is never emailed by itself.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from core import admintools, bulk
from core.models import SiteSettings, Status
from mailings import following
from newsletter import sending, topics
from newsletter.models import Issue

logger = logging.getLogger(__name__)

NEW_POST_WINDOW = timedelta(days=2)


class PostEmailError(Exception):
    """The post cannot be sent (yet): the message says why."""


def source_key(post: Post) -> str:
    return f"post:{post.pk}"


def email_for(post: Post) -> Issue | None:
    return Issue.objects.filter(source_key=source_key(post)).first()


def email_body(post: Post, full_text: bool) -> str:
    url = post.get_absolute_url()
    parts = []
    if post.audio:
        parts.append(f"🎧 [Listen to the audio version]({url}#audio)")
    if full_text:
        parts += [post.body.strip(), f"[Read it on the site]({url})"]
    else:
        parts += [post.description.strip(), f"**[Continue reading →]({url})**"]
    return "\n\n".join(part for part in parts if part) + "\n"


def build(post: Post, full_text: bool) -> Issue:
    """The email's Issue, not saved (what the preview shows before anything is sent)."""
    return Issue(
        kind=Issue.Kind.POST,
        source_key=source_key(post),
        source_url=post.get_absolute_url(),
        topic=topics.posts_topic(),
        title=post.title,
        subtitle=post.description[:300],
        body=email_body(post, full_text),
        status=Status.PUBLISHED,
        published_at=post.published_at,
        on_web=False,
    )


def send_post(post: Post, full_text: bool) -> Issue:
    """Create the post's email and send it now, or schedule it for the post's publication."""
    if post.status != Status.PUBLISHED:
        raise PostEmailError("This post is a draft: publish or schedule it first.")
    if email_for(post) is not None:
        raise PostEmailError("This post was already sent by email.")
    email = build(post, full_text)
    if email.topic is None:
        raise PostEmailError("There is no “Every new post” topic to send it to (it was removed).")
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        raise PostEmailError("This post was already sent by email.") from None
    _send_or_schedule(email, post)
    return email


def _send_or_schedule(email: Issue, post: Post) -> None:
    try:
        following.send_or_schedule(email, post.published_at)
    except sending.SendingError as error:
        logger.error("Email of post %s not sent: %s", post.pk, error)
        raise PostEmailError(str(error)) from None


def follow_post(email: Issue, post: Post) -> None:
    """An unsent email follows its post's publication time, or its return to draft."""
    try:
        following.follow(email, post.status, post.published_at)
    except sending.SendingError as error:  # the post's page shows it unsent
        logger.error("Email of post %s not sent: %s", post.pk, error)


def on_post_saved(sender, instance: Post, raw=False, **kwargs):
    if raw or bulk.in_progress():  # an import or the demo: not news
        return
    email = email_for(instance)
    if email is not None:
        follow_post(email, instance)
        return
    site = SiteSettings.get_solo()
    new = instance.published_at >= timezone.now() - NEW_POST_WINDOW
    if site.email_new_posts and instance.status == Status.PUBLISHED and new:
        try:
            send_post(instance, site.post_email_full_text)
        except PostEmailError as error:
            logger.warning("New post %s not emailed: %s", instance.pk, error)


def status_note(email: Issue | None) -> str:
    if email is None:
        return "Not sent by email."
    if email.sending_started_at:
        counts = email.delivery_counts()
        when = timezone.localtime(email.sending_started_at)
        return f"Sent by email to {counts['sent']:,} subscriber(s), {when:%Y-%m-%d %H:%M}."
    if email.send_at:
        when = timezone.localtime(email.send_at)
        return f"Will be sent by email at {when:%Y-%m-%d %H:%M}, when it is published."
    return "Its email waits: it goes when the post is published."


def admin_tools(request, post: Post) -> admintools.ObjectTools:
    email = email_for(post)
    if email is None:
        tool = admintools.Tool("Send to subscribers", reverse("mailings:send_post", args=[post.pk]))
    else:
        tool = admintools.Tool(
            "Email progress", reverse("admin:newsletter_issue_send", args=[email.pk])
        )
    return admintools.ObjectTools([tool], [status_note(email)])
