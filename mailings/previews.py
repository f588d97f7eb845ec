"""Email previews (newsletter.email_previews) of a post's email and a release's alert,
built from the post or release as it is now, before anything is made or sent. Once the
email exists, its preview is the issue's."""

from django.shortcuts import get_object_or_404

from blog.models import Post
from core.models import SiteSettings
from mailings import post_emails, release_alerts
from newsletter import email_previews
from projects.models import Release


def post_message(pk, who, full_text=None):
    post = get_object_or_404(Post, pk=pk)
    email = post_emails.email_for(post)
    if email is None:
        if full_text is None:
            full_text = SiteSettings.get_solo().post_email_full_text
        email = post_emails.build(post, full_text)
    return email_previews.issue_message(email, who)


def release_message(pk, who):
    release = get_object_or_404(Release.objects.select_related("project"), pk=pk)
    alert = release_alerts.alert_for(release) or release_alerts.build(release)
    return email_previews.issue_message(alert, who)


def register():
    email_previews.register("post", post_message)
    email_previews.register("post-full", lambda pk, who: post_message(pk, who, True))
    email_previews.register("post-excerpt", lambda pk, who: post_message(pk, who, False))
    email_previews.register("release", release_message)
