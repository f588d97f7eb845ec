"""Provider webhooks: what an email provider reports through django-anymail's tracking
webhooks (/anymail/<provider>/tracking/), applied by the one suppression policy.

anymail turns each provider's payload into an AnymailTrackingEvent and sends its `tracking`
signal; `receive` (connected in NewsletterConfig.ready) turns the event into a MailFeedback
and calls `feedback.apply`. Only what concerns the list is kept: bounces, deferrals,
complaints, unsubscribes, auto-replies and refusals of a bad address. Deliveries, opens,
clicks and the rest leave no trace: we don't track readers.

Who the event is about is read, best first, from what names our message: the VERP return
path a provider echoes (Amazon SES, Mailgun), our Message-ID where a provider keeps it
(Mailgun, SendGrid, Brevo, Postal, Amazon SES, a Postmark bounce dump), then the address.
"""

import hashlib
import json
import logging
import re
from collections.abc import Iterator, Mapping
from datetime import UTC

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason
from django.utils import timezone

from newsletter.inbound import return_path
from newsletter.inbound.feedback import (
    OUR_MESSAGE_ID,
    Kind,
    MailFeedback,
    apply,
    quoted_message_id,
)

logger = logging.getLogger(__name__)

# An SMTP status in a server's reply: an enhanced code (RFC 3463: "4.2.2", "5.1.1"), or a
# basic reply code at the start ("452 …", "smtp; 550 …"). Its first digit says 4 (try
# again later) or 5 (never).
ENHANCED_STATUS = re.compile(r"(?<![\d.])([245])\.\d{1,3}\.\d{1,3}(?![\d.])")
REPLY_CODE = re.compile(r"^\s*(?:smtp;\s*)?([245])\d\d\b", re.IGNORECASE)

DIAGNOSTIC_LENGTH = 500


def _get(data, *path):
    """data[path[0]][path[1]]…, or None where a step is missing or not a mapping."""
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _status_class(text) -> str | None:
    """ "4" or "5" from the first SMTP status in `text`, or None without one."""
    if not text:
        return None
    text = str(text)
    match = ENHANCED_STATUS.search(text) or REPLY_CODE.search(text)
    return match.group(1) if match else None


def _reported_temporary(esp: str, payload) -> bool:
    """Providers that report a temporary failure as "bounced" say so in a field of their
    own (anymail keeps them as bounces)."""
    if esp == "postmark":
        return _get(payload, "Type") == "SoftBounce"
    if esp in ("brevo", "sendinblue"):
        return _get(payload, "event") == "soft_bounce"
    if esp == "amazon ses":
        return _get(payload, "bounce", "bounceType") == "Transient"
    if esp == "resend":
        return _get(payload, "data", "bounce", "type") == "Transient"
    if esp == "mailjet":
        return _get(payload, "event") == "bounce" and _get(payload, "hard_bounce") is False
    if esp == "sendgrid":
        # "blocked": the receiving server turned the message away (reputation, content),
        # not the address.
        return _get(payload, "type") == "blocked"
    return False


def _temporary(event: AnymailTrackingEvent, esp: str) -> bool:
    payload = event.esp_event
    if _reported_temporary(esp, payload):
        return True
    # The server's own code wins over the provider's label: "bounced" with a 4.x.x reply
    # is a mailbox that may work tomorrow.
    status = _status_class(event.mta_response)
    if status is None and esp == "sendgrid":
        status = _status_class(_get(payload, "status"))
    if status is None and esp == "mailgun":
        status = _status_class(_get(payload, "event-data", "delivery-status", "code"))
    return status == "4"


def kind_of(event: AnymailTrackingEvent, esp: str) -> str | None:
    """The feedback kind of an event, or None for one the list does not care about."""
    kind = event.event_type
    if kind == EventType.BOUNCED:
        return Kind.SOFT if _temporary(event, esp) else Kind.HARD
    if kind == EventType.DEFERRED:
        return Kind.SOFT
    if kind == EventType.COMPLAINED:
        return Kind.COMPLAINT
    if kind == EventType.UNSUBSCRIBED:
        return Kind.UNSUBSCRIBE
    if kind == EventType.AUTORESPONDED:
        return Kind.AUTO_REPLY
    if kind == EventType.REJECTED:
        # The provider would not send to an address it knows is bad; other refusals
        # (its own policy, content, a suppression for another reason) say nothing about it.
        bad_address = event.reject_reason in (RejectReason.BOUNCED, RejectReason.INVALID)
        return Kind.HARD if bad_address else None
    # Postal's "HardFail" is the receiving server's permanent refusal (anymail calls
    # every failed delivery "failed"); its "SoftFail" arrives as deferred.
    hard_fail = _get(event.esp_event, "payload", "status") == "HardFail"
    if kind == EventType.FAILED and esp == "postal" and hard_fail:
        return Kind.SOFT if _status_class(event.mta_response) == "4" else Kind.HARD
    return None


def _return_path_candidates(esp: str, payload) -> Iterator:
    if esp == "amazon ses":
        yield _get(payload, "mail", "source")  # the envelope sender (MAIL FROM)
    if esp == "mailgun":
        yield _get(payload, "event-data", "envelope", "sender")


def _message_id_candidates(event: AnymailTrackingEvent, esp: str, payload) -> Iterator:
    yield event.message_id
    if esp == "amazon ses":
        yield _get(payload, "mail", "commonHeaders", "messageId")
        for header in _get(payload, "mail", "headers") or ():
            if _get(header, "name") and header["name"].lower() == "message-id":
                yield header.get("value")
    elif esp == "postal":
        for message in ("message", "original_message"):
            yield _get(payload, "payload", message, "message_id")
    elif esp == "sendgrid":
        yield _get(payload, "smtp-id")
    elif esp == "resend":
        for header in _get(payload, "data", "headers") or ():
            if _get(header, "name") and header["name"].lower() == "message-id":
                yield header.get("value")
    elif esp == "postmark":
        content = _get(payload, "Content")
        if isinstance(content, str):
            yield quoted_message_id(content[:200_000])  # the original's, in the dump


def _our_message_id(event: AnymailTrackingEvent, esp: str, payload) -> str:
    for candidate in _message_id_candidates(event, esp, payload):
        if isinstance(candidate, str) and OUR_MESSAGE_ID.fullmatch(candidate.strip()):
            return candidate.strip()
    return ""


def _fingerprint(payload) -> str:
    """A stable id for an event the provider gives none (Brevo, Postmark's subscription
    changes): the same payload posted again is the same event."""
    if hasattr(payload, "lists"):  # a QueryDict (Mailgun's older form posts)
        payload = dict(payload.lists())
    text = json.dumps(payload, sort_keys=True, default=str)
    return "sha256-" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _event_id(event: AnymailTrackingEvent, kind: str, recipient: str) -> str:
    provider_message = str(event.message_id or "")
    if kind == Kind.SOFT and provider_message:
        # Providers report every retry of a delayed message (Mailgun, Postmark): one
        # message soft-bouncing is one soft bounce, however often it is told.
        base = f"soft-{provider_message}"
    else:
        base = str(event.event_id or "") or _fingerprint(event.esp_event)
    # One notification may name several recipients under one id (Amazon SES).
    return f"{base}/{recipient.lower()}"


def _diagnostic(event: AnymailTrackingEvent) -> str:
    text = str(event.mta_response or event.description or "")
    return " ".join(text.split())[:DIAGNOSTIC_LENGTH]


def to_feedback(event: AnymailTrackingEvent, esp_name: str) -> MailFeedback | None:
    """The MailFeedback an anymail tracking event amounts to, or None to ignore it."""
    esp = (esp_name or "unknown").lower()
    kind = kind_of(event, esp)
    if kind is None:
        return None
    payload = event.esp_event
    recipient = str(event.recipient or "").strip()
    feedback = MailFeedback(
        kind=kind,
        recipient=recipient,
        message_id=_our_message_id(event, esp, payload),
        provider_message_id=str(event.message_id or "")[:255],
        diagnostic=_diagnostic(event),
        source=f"webhook:{esp}",
        event_id=_event_id(event, kind, recipient),
        occurred_at=event.timestamp,
    )
    if feedback.occurred_at is not None and timezone.is_naive(feedback.occurred_at):
        feedback.occurred_at = feedback.occurred_at.replace(tzinfo=UTC)
    for address in _return_path_candidates(esp, payload):
        parsed = return_path.parse(address) if isinstance(address, str) else None
        if parsed and parsed[0] == "d":
            feedback.delivery_id = parsed[1]
        elif parsed:
            feedback.subscriber_id = parsed[1]
    return feedback


def receive(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """anymail's `tracking` signal: apply what concerns the list. An error here answers 500,
    and the provider posts the event again later (applied once, by its id)."""
    feedback = to_feedback(event, esp_name)
    if feedback is None:
        logger.debug("Ignored %s event from %s", event.event_type, esp_name)
        return
    outcome = apply(feedback)
    if not outcome.applied:
        logger.info(
            "%s %s event for %s: %s",
            esp_name,
            feedback.kind,
            feedback.recipient or "no address",
            outcome.reason,
        )
