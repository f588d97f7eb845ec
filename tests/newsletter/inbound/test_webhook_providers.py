"""The other providers' webhooks at the live server (Postmark, Mailgun and Amazon SES have
modules of their own): SendGrid, Brevo, Mailjet, SparkPost, Resend and Postal, each with
the payloads their documentation shows, applied through the one policy, replayed once,
and, for Postal, its RSA signature checked."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils import timezone

from newsletter.models import MailEvent, Subscriber
from tests.factories import SubscriberFactory
from tests.newsletter.inbound.webhook_client import post_status

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # anymail still parses SendGrid's events, no longer "officially" (README, libraries).
    pytest.mark.filterwarnings("ignore:django-anymail has dropped official support for SendGrid"),
]

SECRET = "hook-user:hook-password-123"
READER = "reader@example.org"
POSTAL_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def postal_public_key() -> str:
    """The key as Postal shows it for ANYMAIL_POSTAL_WEBHOOK_KEY: the PEM body alone."""
    pem = POSTAL_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "".join(pem.decode().strip().splitlines()[1:-1])


@pytest.fixture
def hooks(settings, live_server):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "POSTAL_WEBHOOK_KEY": postal_public_key()}
    return live_server.url


@pytest.fixture
def reader():
    return SubscriberFactory(email=READER, confirmation_sent_at=timezone.now())


def post(url: str, body: bytes, headers: dict | None = None) -> int:
    return post_status(url, body, {"Content-Type": "application/json", **(headers or {})}, SECRET)


def sendgrid(event="bounce", **fields):
    return [{
        "email": READER, "timestamp": 1764590400, "smtp-id": "<issue-1.5@blog.example>",
        "event": event, "category": [], "sg_event_id": f"sg-{event}-1",
        "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0", **fields,
    }]  # fmt: skip


def brevo(event):
    return {
        "event": event, "email": READER, "id": 123456, "date": "2026-12-01 12:00:00",
        "ts": 1764590400, "message-id": "<issue-1.5@blog.example>", "ts_event": 1764590400,
        "subject": "Issue 1", "tag": "", "sending_ip": "185.41.28.109",
        "ts_epoch": 1764590400000, "reason": "550 5.1.1 user unknown",
    }  # fmt: skip


def mailjet(event, **fields):
    return [{
        "event": event, "time": 1764590400, "MessageID": 19421777835146490,
        "Message_GUID": "1ab23cd4-e567-8901-2345-6789f0gh1i2j", "email": READER,
        "mj_campaign_id": 0, "mj_contact_id": 0, "customcampaign": "", "CustomID": "",
        "Payload": "", **fields,
    }]  # fmt: skip


def sparkpost(kind, **fields):
    return [{"msys": {"message_event": {
        "type": kind, "rcpt_to": READER, "raw_rcpt_to": READER,
        "message_id": "000443ee14578172be22", "event_id": f"92356927693813856-{kind}",
        "timestamp": "1764590400", **fields,
    }}}]  # fmt: skip


def resend(kind, **data):
    return {
        "type": kind, "created_at": "2026-12-01T12:00:00.000Z",
        "data": {
            "email_id": "4ef9a417-02e9-4d39-ad75-9611e0fcc33c", "from": "news@example.com",
            "to": [READER], "subject": "Issue 1", "created_at": "2026-12-01T11:59:58.000Z",
            **data,
        },
    }  # fmt: skip


def postal(status, output):
    return {
        "event": "MessageDeliveryFailed", "timestamp": 1764590400.0,
        "uuid": f"0bc7c4c7-3a4f-4d38-9a1c-{status.lower():0>12}"[:36],
        "payload": {
            "message": {"id": 12345, "token": "Cbl2cvNJQYqB", "direction": "outgoing",
                        "message_id": "issue-1.5@blog.example", "to": READER,
                        "from": "news@example.com", "subject": "Issue 1",
                        "timestamp": 1764590400.0, "spam_status": "NotChecked", "tag": None},
            "status": status, "details": "Permanent SMTP delivery error", "output": output,
            "sent_with_ssl": False, "timestamp": 1764590400.0, "time": 0.5,
        },
    }  # fmt: skip


CASES = {
    "sendgrid bounce": (
        "sendgrid", sendgrid(reason="550 5.1.1 unknown", status="5.1.1", type="bounce"), "hard"
    ),
    "sendgrid blocked": (
        "sendgrid", sendgrid(reason="421 try later", status="4.0.0", type="blocked"), "soft"
    ),
    "sendgrid spam report": ("sendgrid", sendgrid("spamreport"), "complaint"),
    "sendgrid unsubscribe": ("sendgrid", sendgrid("unsubscribe"), "unsubscribe"),
    "brevo hard bounce": ("brevo", brevo("hard_bounce"), "hard"),
    "brevo soft bounce": ("brevo", brevo("soft_bounce"), "soft"),
    "brevo spam": ("brevo", brevo("spam"), "complaint"),
    "mailjet hard bounce": (
        "mailjet",
        mailjet("bounce", blocked=False, hard_bounce=True, error_related_to="recipient",
                error="user unknown"),
        "hard",
    ),
    "mailjet soft bounce": (
        "mailjet",
        mailjet("bounce", blocked=False, hard_bounce=False, error_related_to="recipient",
                error="mailbox full"),
        "soft",
    ),
    "mailjet spam": ("mailjet", mailjet("spam", source="JMRPP"), "complaint"),
    "sparkpost hard bounce": (
        "sparkpost",
        sparkpost("bounce", bounce_class="10", reason="550 5.1.1 user unknown", error_code="550",
                  raw_reason="550 5.1.1 <reader@example.org>: Recipient address rejected"),
        "hard",
    ),
    "sparkpost mailbox full": (
        "sparkpost",
        sparkpost("bounce", bounce_class="22", reason="452 4.2.2 mailbox full", error_code="452",
                  raw_reason="452 4.2.2 <reader@example.org>: Mailbox full"),
        "soft",
    ),
    "sparkpost spam complaint": (
        "sparkpost", sparkpost("spam_complaint", fbtype="abuse"), "complaint"
    ),
    "resend bounce": (
        "resend",
        resend("email.bounced", bounce={"message": "550 5.1.1 user unknown", "type": "Permanent",
                                        "subType": "General"}),
        "hard",
    ),
    "resend complaint": ("resend", resend("email.complained"), "complaint"),
    "postal hard fail": ("postal", postal("HardFail", "550 5.1.1 user unknown"), "hard"),
}  # fmt: skip


def signed_for(provider: str, body: bytes) -> dict:
    if provider != "postal":
        return {}
    signature = POSTAL_KEY.sign(body, padding.PKCS1v15(), hashes.SHA1())
    return {"X-Postal-Signature": base64.b64encode(signature).decode()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_providers_event_is_applied_once(hooks, reader, case):
    provider, payload, kind = CASES[case]
    url = f"{hooks}/anymail/{provider}/tracking/"
    body = json.dumps(payload).encode()
    assert post(url, body, signed_for(provider, body)) == 200
    event = MailEvent.objects.get()
    assert (event.kind, event.subscriber, event.source) == (kind, reader, f"webhook:{provider}")
    reader.refresh_from_db()
    if kind in ("hard", "complaint"):
        assert reader.suppressed_at is not None
    if kind in ("complaint", "unsubscribe"):
        assert reader.status == Subscriber.Status.UNSUBSCRIBED
    if kind == "soft":
        assert reader.suppressed_at is None
    assert post(url, body, signed_for(provider, body)) == 200  # the provider retrying
    assert MailEvent.objects.count() == 1


@pytest.mark.parametrize("signature", [None, "bm90IGEgc2lnbmF0dXJl", "*"])
def test_a_postal_post_without_its_signature_changes_nothing(hooks, reader, signature):
    body = json.dumps(postal("HardFail", "550 5.1.1 user unknown")).encode()
    headers = {"X-Postal-Signature": signature} if signature else {}
    assert post(f"{hooks}/anymail/postal/tracking/", body, headers) == 400
    assert not MailEvent.objects.exists()
    reader.refresh_from_db()
    assert reader.suppressed_at is None


def test_a_signed_postal_event_for_another_body_changes_nothing(hooks, reader):
    body = json.dumps(postal("HardFail", "550 5.1.1 user unknown")).encode()
    headers = signed_for("postal", body.replace(b"HardFail", b"SoftFail"))
    assert post(f"{hooks}/anymail/postal/tracking/", body, headers) == 400
    assert not MailEvent.objects.exists()
