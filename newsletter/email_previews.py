"""Previews of every email the site sends, exactly as a subscriber gets it (HTML and text,
light and dark), before anything is sent: issues, posts by email and release alerts (from
their Issue, or from one not yet made), the welcome and the confirmation email.

Each kind has a builder, `(pk) -> message`; the mailings app registers "post" and
"release", which build the email a post or a release would make without saving it. The
recipient is a stand-in (`sample_subscriber`): its unsubscribe and preferences links have
the real shape but lead nowhere.
"""

import re
from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives
from django.shortcuts import get_object_or_404

from newsletter import emails, welcome
from newsletter.models import Issue, Subscriber

Builder = Callable[[int, Subscriber], EmailMultiAlternatives]
_builders: dict[str, Builder] = {}
DARK_QUERY = re.compile(r"@media\s*\(prefers-color-scheme:\s*dark\)")


def register(kind: str, builder: Builder) -> None:
    _builders[kind] = builder


def kinds() -> list[str]:
    return sorted(_builders)


def sample_subscriber(address: str) -> Subscriber:
    return Subscriber(pk=0, email=address, status=Subscriber.Status.ACTIVE,
                      unsubscribe_key="preview", confirm_nonce="preview")  # fmt: skip


def issue_message(issue: Issue, subscriber: Subscriber) -> EmailMultiAlternatives:
    return emails.render_issue(issue).for_subscriber(subscriber, 0)


def build(kind: str, pk: int, address: str) -> EmailMultiAlternatives | None:
    builder = _builders.get(kind)
    return builder(pk, sample_subscriber(address)) if builder else None


def parts(message: EmailMultiAlternatives) -> dict[str, str]:
    html = next((body for body, mime in message.alternatives if mime == "text/html"), "")
    return {"text": message.body, "html": html}


def forced_dark(html: str) -> str:
    """The HTML with its dark-mode styles always on: what a mail client in dark mode shows."""
    return DARK_QUERY.sub("@media all", html)


register("issue", lambda pk, who: issue_message(get_object_or_404(Issue, pk=pk), who))
register("welcome", lambda pk, who: welcome.welcome_message(who))
register("confirmation", lambda pk, who: emails.confirmation_message(who))
