"""What subscribers receive: issue emails and confirmation emails.

An issue is rendered once per sending run into an HTML and a plain-text body that hold a
placeholder for the one thing that differs per subscriber (the signed token in the
footer's unsubscribe and preferences links); each message then only swaps the placeholder
and sets its headers. The HTML part is the
issue's sanitized HTML with inline styles added (mail clients ignore style sheets and
classes), links made absolute, inside a simple 600 px table layout that declares light
and dark support. The plain-text part is the issue's Markdown rendered as text
(core.plaintext): no Markdown syntax, every link absolute, images as their alt text.
"""

import email.policy
import email.utils
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote, urlsplit

import lxml.html
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.mail import PLAIN_ADDRESS
from core.models import SiteSettings
from core.plaintext import markdown_to_text
from newsletter import quoted_printable, tokens
from newsletter.models import Issue, Subscriber, Topic

# Stands for the recipient's unsubscribe token (newsletter.tokens) in a rendered issue.
TOKEN_PLACEHOLDER = "NEWSLETTERTOKEN0PLACEHOLDER"

FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
MONO = "SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace"
TEXT = "#1d1f23"
MUTED = "#5a6069"
LINE = "#e2e4e8"
LINK = "#0b5cad"
CODE_BG = "#f4f5f7"

# Inline styles for the tags an issue body may contain (core.markdown.ALLOWED_TAGS).
STYLES = {
    "p": "margin:0 0 16px;",
    "h1": "font-size:26px;line-height:1.25;margin:28px 0 12px;",
    "h2": "font-size:22px;line-height:1.3;margin:28px 0 12px;",
    "h3": "font-size:18px;line-height:1.35;margin:24px 0 8px;",
    "h4": "font-size:16px;line-height:1.4;margin:20px 0 8px;",
    "h5": "font-size:15px;margin:16px 0 8px;",
    "h6": "font-size:14px;margin:16px 0 8px;",
    "a": f"color:{LINK};text-decoration:underline;",
    "ul": "margin:0 0 16px;padding-left:24px;",
    "ol": "margin:0 0 16px;padding-left:24px;",
    "li": "margin:0 0 6px;",
    "blockquote": f"margin:0 0 16px;padding:0 0 0 16px;border-left:4px solid {LINE};color:{MUTED};",
    "pre": f"margin:0 0 16px;padding:12px 14px;background-color:{CODE_BG};border-radius:6px;"
    "font-size:14px;line-height:1.45;white-space:pre-wrap;word-wrap:break-word;",
    "code": f"font-family:{MONO};font-size:14px;",
    "img": "max-width:100%;height:auto;border:0;",
    "table": "border-collapse:collapse;width:100%;margin:0 0 16px;",
    "th": f"border:1px solid {LINE};padding:6px 8px;text-align:left;",
    "td": f"border:1px solid {LINE};padding:6px 8px;text-align:left;",
    "hr": f"border:0;border-top:1px solid {LINE};margin:24px 0;",
    "figure": "margin:0 0 16px;",
    "figcaption": f"font-size:14px;color:{MUTED};",
    "kbd": f"font-family:{MONO};font-size:14px;border:1px solid {LINE};padding:0 4px;",
}
ALIGN = {"align-left": "left", "align-center": "center", "align-right": "right"}


class NewsletterMessage(EmailMultiAlternatives):
    """An email whose List-Unsubscribe header survives serialization intact.

    Python's header folding RFC 2047-encodes any header word longer than a line (78
    characters) so it can wrap it, and a long unsubscribe URL is such a word; mail clients
    then do not recognise the header. RFC 5322 allows lines of up to 998 characters, so
    fold only there."""

    def message(self, *, policy=email.policy.default):
        message = super().message(policy=policy)  # bodies encoded with the usual policy
        message.policy = policy.clone(max_line_length=998)  # used to fold the headers
        return message


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def email_html(body_html: str, base_url: str) -> str:
    """The body's HTML with inline styles and absolute links, ready for mail clients."""
    if not body_html.strip():
        return ""
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    root.make_links_absolute(base_url, resolve_base_href=False)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue  # comments
        if element.tag == "input":  # task-list checkboxes: a character reads everywhere
            mark = "☑ " if element.get("checked") is not None else "☐ "
            parent = element.getparent()
            element.drop_tag()
            if parent is not None:
                parent.text = mark + (parent.text or "").lstrip()
            continue
        style = STYLES.get(element.tag, "")
        parent = element.getparent()
        if element.tag == "code" and parent is not None and parent.tag != "pre":
            style += f"background-color:{CODE_BG};padding:1px 4px;border-radius:4px;"
        for cls in (element.get("class") or "").split():
            if cls in ALIGN:
                style += f"text-align:{ALIGN[cls]};"
        if style:
            element.set("style", style)
    return lxml.html.tostring(root, encoding="unicode")


def from_address() -> str:
    sender = settings.NEWSLETTER_FROM_EMAIL
    if "<" in sender:
        return sender
    site = SiteSettings.get_solo()
    return email.utils.formataddr((site.author_name or site.newsletter_name, sender))


def reply_to() -> list[str]:
    site = SiteSettings.get_solo()
    return [site.email] if site.email else []


@dataclass(frozen=True)
class RenderedIssue:
    """An issue rendered once for many recipients."""

    message_id_prefix: str  # "issue-3", "email-17": with the delivery, the Message-ID
    topic_id: int | None
    subject: str
    html: str
    text: str
    from_email: str
    reply_to: tuple[str, ...]
    list_id: str
    archive_url: str
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def message(
        self,
        to: str,
        *,
        token: str | None,
        unsubscribe_url: str | None = None,
        unsubscribe_mailto: str | None = None,
        message_id: str | None = None,
    ) -> EmailMultiAlternatives:
        """One recipient's message. Without `token` (test sends) the List-* unsubscribe
        headers are left out."""
        headers = {"List-Id": self.list_id, "List-Archive": f"<{self.archive_url}>"}
        if unsubscribe_url:
            targets = [f"<{unsubscribe_url}>"]
            if unsubscribe_mailto:
                targets.append(f"<{unsubscribe_mailto}>")
            headers["List-Unsubscribe"] = ", ".join(targets)
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        if message_id:
            headers["Message-ID"] = message_id
        message = NewsletterMessage(
            subject=self.subject,
            body=self.text.replace(TOKEN_PLACEHOLDER, token or "test"),
            from_email=self.from_email,
            to=[to],
            reply_to=list(self.reply_to),
            headers=headers,
        )
        message.attach_alternative(
            self.html.replace(TOKEN_PLACEHOLDER, token or "test"), "text/html"
        )
        return message

    def _recipient(self, subscriber: Subscriber, delivery_id: int) -> dict[str, str | None]:
        token = tokens.unsubscribe_token(subscriber, self.topic_id)
        if "unsubscribe_url" not in self.cache:  # reverse() and urlsplit once, not per message
            self.cache["unsubscribe_url"] = unsubscribe_url(TOKEN_PLACEHOLDER)
            self.cache["host"] = site_host()
        return {
            "token": token,
            "unsubscribe_url": self.cache["unsubscribe_url"].replace(TOKEN_PLACEHOLDER, token),
            "unsubscribe_mailto": unsubscribe_mailto(token),
            # The same Message-ID if a crash makes us send this delivery again, so
            # receiving systems that de-duplicate on it show one copy.
            "message_id": f"<{self.message_id_prefix}.{delivery_id}@{self.cache['host']}>",
        }

    def for_subscriber(self, subscriber: Subscriber, delivery_id: int) -> EmailMultiAlternatives:
        return self.message(subscriber.email, **self._recipient(subscriber, delivery_id))

    @cached_property
    def _shared_headers(self) -> bytes:
        """The headers every recipient gets alike, folded and encoded by the standard
        library (from a message Django builds) once per rendering."""
        sample = self.message("recipient@example.invalid", token=None)
        built = sample.message(policy=email.policy.SMTP)
        names = ["Subject", "From", "Reply-To", "List-Id", "List-Archive"]
        return b"".join(built.policy.fold_binary(n, built[n]) for n in names if built[n])

    @cached_property
    def _boundary(self) -> str:
        return f"==newsletter-{secrets.token_hex(12)}=="

    def wire_bytes(self, subscriber: Subscriber, delivery_id: int) -> bytes | None:
        """The recipient's message as SMTP carries it, the same as `for_subscriber` gives
        but assembled directly (about 30 times faster than building it with the email
        package each time; tests/newsletter/test_emails.py compares the two). None for an
        address that is not a plain ASCII one (PLAIN_ADDRESS, usable on the wire as it
        is): those take the general path."""
        address = subscriber.email
        if not PLAIN_ADDRESS.fullmatch(address):
            return None
        links = self._recipient(subscriber, delivery_id)
        unsubscribe = f"<{links['unsubscribe_url']}>"
        if links["unsubscribe_mailto"]:
            unsubscribe += f", <{links['unsubscribe_mailto']}>"
        boundary = self._boundary
        head = (
            f'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="{boundary}"\r\n'
        ).encode() + self._shared_headers
        head += (
            f"To: {address}\r\n"
            f"Date: {email.utils.format_datetime(timezone.now())}\r\n"
            f"Message-ID: {links['message_id']}\r\n"
            f"List-Unsubscribe: {unsubscribe}\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\n"
        ).encode()
        parts = [head]
        link = quoted_printable.soft_line_end(quoted_printable.encode(links["token"]))
        for subtype, body in (("plain", self.text), ("html", self.html)):
            parts.append(
                f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode()
            )
            parts.append(link.join(self._encoded_around_link(subtype, body)))
            parts.append(b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return b"".join(parts)

    def _encoded_around_link(self, subtype: str, body: str) -> list[bytes]:
        """The part quoted-printable encoded once per rendering, in the pieces around the
        recipient's token, each but the last ending in a soft line break: joined by a
        recipient's encoded token, they decode to the part with that token. Encoding the
        whole part again for every recipient was half of assembling a message."""
        key = ("quoted-printable", subtype)
        if key not in self.cache:
            pieces = [quoted_printable.encode(piece) for piece in body.split(TOKEN_PLACEHOLDER)]
            self.cache[key] = [
                quoted_printable.soft_line_end(piece) for piece in pieces[:-1]
            ] + pieces[-1:]
        return self.cache[key]


def unsubscribe_mailto(token: str) -> str | None:
    address = settings.NEWSLETTER_UNSUBSCRIBE_EMAIL
    if not address:
        return None
    return f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


def unsubscribe_url(token: str) -> str:
    return absolute(reverse("newsletter:unsubscribe", args=[token]))


def preferences_url(token: str) -> str:
    """The preferences page takes the same signed token as the unsubscribe link."""
    return absolute(reverse("newsletter:preferences", args=[token]))


@dataclass(frozen=True)
class FooterLinks:
    unsubscribe_url: str
    preferences_url: str
    headers: dict[str, str]


def footer_links(subscriber: Subscriber) -> FooterLinks:
    """The subscriber's unsubscribe (every topic) and preferences links, and the
    List-Unsubscribe headers (RFC 8058 one-click, and the mailto:) for an email that is not
    an issue (issues assemble theirs per recipient, RenderedIssue)."""
    token = tokens.unsubscribe_token(subscriber)
    url = unsubscribe_url(token)
    targets = [f"<{url}>"]
    if mailto := unsubscribe_mailto(token):
        targets.append(f"<{mailto}>")
    headers = {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return FooterLinks(url, preferences_url(token), headers)


def kicker(issue: Issue, site: SiteSettings) -> str:
    """The small line above an email's title: which newsletter and issue, or what it is."""
    if issue.kind == Issue.Kind.NEWSLETTER:
        return f"{site.newsletter_name} · Issue #{issue.number}"
    if issue.kind == Issue.Kind.POST:
        return f"New post · {site.author_name}"
    return issue.subtitle or "New release"


def render_issue(issue: Issue, *, test: bool = False) -> RenderedIssue:
    site = SiteSettings.get_solo()
    # An email-only issue has no page: its email links to none ("view in browser").
    on_web = issue.on_web or issue.kind != Issue.Kind.NEWSLETTER
    issue_url = absolute(issue.get_absolute_url())
    archive_url = absolute(reverse("newsletter:index"))
    context = {
        "issue": issue,
        "site": site,
        "subject": issue.title,
        "kicker": kicker(issue, site),
        "topic": issue.topic,
        "body": email_html(issue.body_html, issue_url),
        "body_text": markdown_to_text(issue.body, issue_url).strip(),
        "issue_url": issue_url if on_web else "",
        "archive_url": archive_url,
        "site_url": settings.SITE_URL,
        "site_host": site_host(),
        "unsubscribe_url": unsubscribe_url(TOKEN_PLACEHOLDER),
        "preferences_url": preferences_url(TOKEN_PLACEHOLDER),
        "test": test,
    }
    subject = f"[Test] {issue.title}" if test else issue.title
    return RenderedIssue(
        message_id_prefix=f"issue-{issue.number}" if issue.number else f"email-{issue.pk}",
        topic_id=issue.topic_id,
        subject=subject,
        html=render_to_string("emails/issue.html", context),
        text=render_to_string("emails/issue.txt", context),
        from_email=from_address(),
        reply_to=tuple(reply_to()),
        list_id=f"{site.newsletter_name} <newsletter.{site_host()}>",
        archive_url=archive_url,
    )


def test_message(issue: Issue, to: str) -> EmailMultiAlternatives:
    """A test send: the real rendering, a "[Test]" subject and no unsubscribe headers."""
    return render_issue(issue, test=True).message(to, token=None)


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    site = SiteSettings.get_solo()
    confirm_url = absolute(reverse("newsletter:confirm", args=[tokens.confirm_token(subscriber)]))
    # Someone who did not sign up can say "never again" in one click, too.
    links = footer_links(subscriber)
    headers = {"Auto-Submitted": "auto-generated", **links.headers}
    context = {
        "site": site,
        "subscriber": subscriber,
        "confirm_url": confirm_url,
        "unsubscribe_url": links.unsubscribe_url,
        "site_url": settings.SITE_URL,
        "site_host": site_host(),
        "max_age_days": settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS,
        # An active subscriber confirms only the topics it asked for since.
        "adding": subscriber.status == Subscriber.Status.ACTIVE,
        "topics": list(
            Topic.objects.filter(key__in=subscriber.pending_topics)
            if subscriber.status == Subscriber.Status.ACTIVE
            else subscriber.topics.all()
        ),
        "subject": f"Confirm your subscription to {site.newsletter_name}",
    }
    message = NewsletterMessage(
        subject=context["subject"],
        body=render_to_string("emails/confirm.txt", context),
        from_email=from_address(),
        to=[subscriber.email],
        reply_to=reply_to(),
        headers=headers,
    )
    message.attach_alternative(render_to_string("emails/confirm.html", context), "text/html")
    return message
