"""Mail that comes back, read: what a message in the bounce mailbox (or a file given to
`process_bounce`) says about which recipient.

`handle(raw, source=...)` is the one entry point, used by the mailbox poller and the
command alike. It reads the message (`read`), turns each finding into a
feedback.MailFeedback and applies it through feedback.apply, the one policy. It never
raises on a message's content: what cannot be used is kept (UnrecognisedMail), never lost.

What is recognised, in this order (the first that fits decides):

1. delivery status notifications (RFC 3464, `multipart/report; report-type=delivery-status`):
   each recipient whose Action is `failed`, hard for a 5.x.x status, soft for 4.x.x, and
   `delayed` ones, soft (a message delayed many times counts once: feedback.apply counts
   soft bounces by delivery);
2. complaint feedback reports (ARF, RFC 5965, `report-type=feedback-report`);
3. replies to the `mailto:` unsubscribe address, with the subscriber's token in the
   subject (newsletter.emails writes `unsubscribe <token>` there);
4. auto-replies (RFC 3834 `Auto-Submitted`, and the headers and subjects out-of-office
   responders use instead): stored, never counted as bounces;
5. the non-standard bounces real servers send (qmail, Exim, Exchange, Yahoo, ...), by
   flufl.bounce's detectors (also for a delivery report too broken to read above), but
   only for a message that looks like a bounce at all (sent to our per-delivery return
   path, from the null sender or a mailer daemon, with a delivery report in it or a
   subject saying it was not delivered), so that a reader's ordinary reply is never taken
   for one.

The message is matched to its delivery by the return path it came back to (VERP,
newsletter.inbound.return_path), else by our Message-ID quoted in it, else by address.
"""

import email
import email.policy
import hashlib
import logging
import re
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from flufl.bounce import all_failures

from newsletter import tokens
from newsletter.inbound import feedback, return_path
from newsletter.inbound.feedback import Kind, MailFeedback

logger = logging.getLogger(__name__)

# Headers that carry the address a message was delivered to (the return path it bounced
# to): what Postfix, Dovecot's LDA, Exim and qmail write, then the visible To.
ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")
STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")
UNSUBSCRIBE_SUBJECT = re.compile(r"\bunsubscribe\s+(\d+\.[\w-]+:[\w-]+)", re.IGNORECASE)
DAEMON = re.compile(
    r"mailer-daemon|postmaster|mdaemon|mail ?(delivery )?(sub)?system|smtp_mail_service",
    re.IGNORECASE,
)
# What the subjects of bounces say, in the languages servers write them in.
BOUNCE_SUBJECT = re.compile(
    r"undeliver|non-?deliver|deliver(y|ed)?\W+(status|failure|failed|report|notification|error)|"
    r"not\W+(be\W+)?delivered|returned mail|failed mail|mail system error|user unknown|"
    r"non remis|unzustellbar|nicht zustellbar|non recapitabile|no entregado|[ée]chec de remise",
    re.IGNORECASE,
)
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|"
    r"absence|r[ée]ponse automatique|vacation)",
    re.IGNORECASE,
)


@dataclass
class Handled:
    """What became of one finding: the shape `process_bounce` prints."""

    kind: str
    recipient: str
    subscriber: int | None
    applied: bool
    reason: str


@dataclass
class Reading:
    """What a message says: its findings (feedback not yet applied), or why none."""

    findings: list[MailFeedback]
    unusable: str = ""


def _text(value) -> str:
    return str(value or "").strip()


def _subject(message: Message) -> str:
    """The Subject as written, RFC 2047 encoded words decoded (`=?utf-8?B?...?=`)."""
    value = _text(message.get("Subject"))
    try:
        return str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeError):  # a broken or unknown charset
        return value


def _valid(address: str) -> bool:
    """A usable address: reports from archives and privacy filters redact them
    (`david...@gmail.com`), and those match nobody."""
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _address(field: str) -> str:
    """The bare address of a DSN/ARF field (`rfc822; Someone@Example.com`)."""
    value = field.partition(";")[2] if ";" in field else field
    found = getaddresses([value])
    return (found[0][1] if found else value).strip().strip("<>").lower()


def _parts(message: Message, content_type: str) -> list[Message]:
    return [part for part in message.walk() if part.get_content_type() == content_type]


def _field_blocks(part: Message) -> list[Message]:
    """The field groups of a message/delivery-status or message/feedback-report part:
    the email package parses the first as sub-messages, the second as a text body."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload if isinstance(payload, str) else ""
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [email.message_from_string(block, policy=email.policy.compat32) for block in blocks]


def _quoted_message_id(message: Message, raw: bytes) -> str:
    """Our Message-ID as quoted in the returned original (a message/rfc822 or
    text/rfc822-headers part, or the original pasted into the text)."""
    for part in message.walk():
        if part.get_content_type() == "message/rfc822" and isinstance(part.get_payload(), list):
            inner = part.get_payload()[0]
            if inner.get("Message-ID"):
                return _text(inner.get("Message-ID"))
    return feedback.quoted_message_id(raw[:2_000_000].decode("ascii", "replace"))


def _return_path_token(message: Message) -> tuple[str, int] | None:
    for name in ENVELOPE_HEADERS:
        for value in message.get_all(name, []):
            for _, address in getaddresses([_text(value)]):
                token = return_path.parse(address)
                if token:
                    return token
    return None


def _base(message: Message, raw: bytes, kind: str, **values) -> MailFeedback:
    token = _return_path_token(message)
    if token and token[0] == "d":
        values.setdefault("delivery_id", token[1])
    elif token and token[0] == "c":
        values.setdefault("subscriber_id", token[1])
    values.setdefault("message_id", _quoted_message_id(message, raw))
    # The same bounce read twice (a mailbox poll cut off before the move, a file given
    # again) has one effect: keyed on the bounce's own Message-ID and the recipient.
    own_id = _text(message.get("Message-ID")) or hashlib.sha256(raw).hexdigest()
    values["event_id"] = f"{own_id}:{values.get('recipient', '')}"
    return MailFeedback(kind=kind, **values)


def _dsn_recipient(block: Message) -> str:
    """The recipient a DSN field group is about: the address we sent to (Original-Recipient)
    before the one it was finally delivered to (an alias, a mailbox daemon, an X.400 name)."""
    for name in ("Original-Recipient", "Final-Recipient"):
        kind, _, value = _text(block.get(name)).partition(";")
        if not value:
            kind, value = "rfc822", kind
        address = _address(value)
        if kind.strip().lower() == "rfc822" and _valid(address):
            return address
    return ""


def _delivery_status(message: Message, raw: bytes, report: Message) -> Reading | None:
    """Each recipient that `failed` (hard for 5.x.x, soft for 4.x.x) or is `delayed` (soft:
    the server is still trying, and a provider's webhook calls this a deferral too). None
    when the report names no such recipient in a readable way (flufl.bounce tries next)."""
    findings = []
    for block in _field_blocks(report)[1:]:  # the first block is about the message
        action = _text(block.get("Action")).lower()
        recipient = _dsn_recipient(block)
        status = _text(block.get("Status"))
        diagnostic = _text(block.get("Diagnostic-Code")).partition(";")[2].strip() or status
        if action not in ("failed", "delayed") or not recipient:
            continue
        if recipient in {finding.recipient for finding in findings}:
            continue  # a server reporting each of its attempts: the first says it
        kind = Kind.SOFT if action == "delayed" or status.startswith("4") else Kind.HARD
        if status and status not in diagnostic:
            diagnostic = f"{status} {diagnostic}"
        if action == "delayed":
            diagnostic = f"delayed: {diagnostic}"
        diagnostic = " ".join(diagnostic.split())
        findings.append(_base(message, raw, kind, recipient=recipient, diagnostic=diagnostic))
    return Reading(findings) if findings else None


def _complaint(message: Message, raw: bytes, report: Message) -> Reading:
    blocks = _field_blocks(report)
    fields = blocks[0] if blocks else Message()
    feedback_type = _text(fields.get("Feedback-Type")).lower() or "abuse"
    if feedback_type == "not-spam":
        return Reading([], "a feedback report saying the message is not spam")
    recipient = _address(_text(fields.get("Original-Rcpt-To")))
    if not recipient:  # Many providers redact it; the returned original may still say.
        for part in message.walk():
            if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
                inner = part.get_payload()
                inner = (
                    inner[0]
                    if isinstance(inner, list)
                    else email.message_from_string(str(inner), policy=email.policy.compat32)
                )
                recipient = _address(_text(inner.get("To")))
                break
    diagnostic = (
        f"{feedback_type} report from {_text(fields.get('Reported-Domain')) or 'a provider'}"
    )
    return Reading(
        [_base(message, raw, Kind.COMPLAINT, recipient=recipient, diagnostic=diagnostic)]
    )


def _unsubscribe(message: Message, raw: bytes) -> Reading | None:
    found = UNSUBSCRIBE_SUBJECT.search(_subject(message))
    if not found:
        return None
    subscriber = tokens.subscriber_for_unsubscribe_token(found.group(1))
    sender = _address(_text(message.get("From")))
    if subscriber is None:
        return Reading([], f"an unsubscribe request from {sender} without a valid token")
    return Reading(
        [_base(message, raw, Kind.UNSUBSCRIBE, recipient=subscriber.email,
               subscriber_id=subscriber.pk, diagnostic=f"sent by {sender}")]
    )  # fmt: skip


def _is_auto_reply(message: Message) -> bool:
    submitted = _text(message.get("Auto-Submitted")).lower()
    if submitted and submitted != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return True
    if _text(message.get("Precedence")).lower() == "auto_reply":
        return True
    return bool(AUTO_REPLY_SUBJECT.search(_subject(message)))


def _is_bounce(message: Message) -> bool:
    if _return_path_token(message):
        return True
    return_path = _text(message.get("Return-Path"))
    if return_path == "<>" or DAEMON.search(_text(message.get("From")) + " " + return_path):
        return True
    if _parts(message, "message/delivery-status"):
        return True
    return bool(BOUNCE_SUBJECT.search(_subject(message)))


def _diagnostic(message: Message) -> str:
    for part in message.walk():
        if part.get_content_maintype() == "text":
            text = part.get_payload(decode=True) or b""
            status = STATUS.search(text[:20000].decode("utf-8", "replace"))
            if status:
                return status.group(0)
    return ""


def _heuristic_bounce(message: Message, raw: bytes) -> Reading | None:
    try:
        temporary, permanent = all_failures(message)
    except Exception:  # a detector choking on odd markup: no finding from it
        logger.debug("flufl.bounce failed on a message", exc_info=True)
        temporary, permanent = set(), set()
    status = _diagnostic(message)
    findings = [
        _base(message, raw, kind, recipient=address.decode("utf-8", "replace").lower(),
              diagnostic=status or "bounce (no status given)")
        for kind, addresses in ((Kind.HARD, permanent), (Kind.SOFT, temporary - permanent))
        for address in sorted(addresses)
        if _valid(address.decode("utf-8", "replace"))
    ]  # fmt: skip
    if findings:
        return Reading(findings)
    if _return_path_token(message):
        # Came back to one delivery's own return path but says nothing readable: it is
        # a bounce of that message; without a status, a soft one.
        kind = Kind.HARD if status.startswith("5") else Kind.SOFT
        return Reading([_base(message, raw, kind, diagnostic=status or "bounce without a status")])
    return None


def read(raw: bytes) -> Reading:
    """What `raw` says, without touching the database beyond token look-ups."""
    limit = settings.NEWSLETTER_UNRECOGNISED_MAX_BYTES
    if len(raw) > limit:
        return Reading([], f"too large to read ({len(raw)} bytes, limit {limit})")
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if not message.keys():
        return Reading([], "not an email message (no headers)")
    for report in _parts(message, "message/delivery-status"):
        status = _delivery_status(message, raw, report)
        if status is not None:
            return status
    for report in _parts(message, "message/feedback-report"):
        return _complaint(message, raw, report)
    unsubscribe = _unsubscribe(message, raw)
    if unsubscribe is not None:
        return unsubscribe
    if _is_bounce(message):
        bounce = _heuristic_bounce(message, raw)
        if bounce is not None:
            return bounce
    if _is_auto_reply(message):
        sender = _address(_text(message.get("From")))
        return Reading([_base(message, raw, Kind.AUTO_REPLY, recipient=sender,
                              diagnostic=_subject(message)[:200])])  # fmt: skip
    return Reading([], "no bounce, complaint, unsubscribe or auto-reply found")


def handle(raw: bytes, *, source: str, dry_run: bool = False) -> list[Handled]:
    """Read `raw` and apply what it says (feedback.apply). A message that cannot be used,
    or a finding about nobody the site emailed, is kept as UnrecognisedMail. Never raises
    on the message's content."""
    try:
        reading = read(raw)
    except Exception as error:  # the email package gave up on it: keep it, go on
        logger.warning("Unreadable message from %s: %r", source, error)
        reading = Reading([], f"unreadable: {error!r}"[:300])
    if not reading.findings:
        if not dry_run:
            feedback.keep_unrecognised(raw, reading.unusable, source)
        return [Handled(Kind.UNKNOWN, "", None, False, reading.unusable)]
    results = []
    for finding in reading.findings:
        finding.source = source
        outcome = feedback.apply(finding, dry_run=dry_run)
        recipient = finding.recipient
        results.append(
            Handled(finding.kind, recipient, outcome.subscriber_id, outcome.applied, outcome.reason)
        )
    unmatched = [r for r in results if r.subscriber is None and r.kind != Kind.AUTO_REPLY]
    if unmatched and not dry_run:
        feedback.keep_unrecognised(raw, f"{unmatched[0].kind}: {unmatched[0].reason}", source)
    return results
