"""The welcome email: sent once per subscriber, when they confirm (views.confirm enqueues
tasks.send_welcome), written by the author in the site settings (Markdown), with the
latest issue linked. Off when the settings say so.

Once: the task sends only to an active, unsuppressed subscriber not yet welcomed, and
stamps `welcomed_at` when the server accepted the message. A worker killed between the
two sends it again when the task runs again, the project's usual trade-off (at most one
duplicate, never lost); leaving and coming back later does not welcome anyone twice.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.markdown import render_markdown
from core.models import SiteSettings
from core.plaintext import markdown_to_text
from newsletter import emails
from newsletter.models import Issue, Subscriber


def latest_issue() -> Issue | None:
    return Issue.objects.published().order_by("-published_at").first()


def welcome_message(subscriber: Subscriber, site: SiteSettings | None = None):
    """The welcome email to `subscriber`, its unsubscribe link and headers like an issue's."""
    site = site or SiteSettings.get_solo()
    links = emails.footer_links(subscriber)
    archive_url = emails.absolute(reverse("newsletter:index"))
    issue = latest_issue()
    context = {
        "site": site,
        "subject": f"Welcome to {site.newsletter_name}",
        # Rendered at save; a row saved before the field existed has only the Markdown.
        "body": emails.email_html(
            site.welcome_email_html or render_markdown(site.welcome_email), archive_url
        ),
        "body_text": markdown_to_text(site.welcome_email, archive_url).strip(),
        "issue": issue,
        "issue_url": emails.absolute(issue.get_absolute_url()) if issue else "",
        "archive_url": archive_url,
        "unsubscribe_url": links.unsubscribe_url,
        "preferences_url": links.preferences_url,
        "site_url": settings.SITE_URL,
        "site_host": emails.site_host(),
    }
    message = emails.NewsletterMessage(
        subject=context["subject"],
        body=render_to_string("emails/welcome.txt", context),
        from_email=emails.from_address(),
        to=[subscriber.email],
        reply_to=emails.reply_to(),
        headers={
            **links.headers,
            "List-Id": f"{site.newsletter_name} <newsletter.{emails.site_host()}>",
        },
    )
    message.attach_alternative(render_to_string("emails/welcome.html", context), "text/html")
    return message


def due(subscriber_id: int) -> tuple[Subscriber, SiteSettings] | None:
    """The subscriber to welcome now, or None: welcomes are off, or they were welcomed,
    left, were suppressed or erased in the meantime."""
    site = SiteSettings.get_solo()
    if not site.welcome_email_enabled:
        return None
    subscriber = Subscriber.objects.filter(
        pk=subscriber_id,
        status=Subscriber.Status.ACTIVE,
        suppressed_at__isnull=True,
        welcomed_at__isnull=True,
    ).first()
    return (subscriber, site) if subscriber else None


def mark_welcomed(subscriber_id: int) -> int:
    return Subscriber.objects.filter(pk=subscriber_id, welcomed_at__isnull=True).update(
        welcomed_at=timezone.now()
    )
