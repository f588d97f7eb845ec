"""Amazon SES through Amazon SNS at the live server: each post's SNS signature is checked
against the signing certificate it names (served here by a loopback HTTP server standing
in for sns.<region>.amazonaws.com), before anymail reads it. Signed notifications are
applied once; tampered, unsigned, stale or foreign-certificate posts change nothing;
a signed subscription confirmation is confirmed by visiting its SubscribeURL."""

import base64
import json
import threading
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.utils import timezone

from newsletter.inbound import sns
from newsletter.models import MailEvent, Subscriber
from tests.factories import SubscriberFactory
from tests.network import free_port
from tests.newsletter.inbound.webhook_client import post_status

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "hook-user:hook-password-123"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-feedback"


def signing_certificate():
    """A key and a self-signed certificate, as Amazon SNS publishes its own."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.eu-west-1.amazonaws.com")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM)


class FakeSNS:
    """sns.<region>.amazonaws.com on loopback: the certificate, and the SubscribeURL."""

    def __init__(self):
        self.key, self.pem = signing_certificate()
        self.visits: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake.visits.append(self.path)
                body = fake.pem if self.path.endswith(".pem") else b"<ConfirmSubscriptionResponse/>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sign(self, message: dict, version: str = "1") -> dict:
        message = {
            **message,
            "SignatureVersion": version,
            "SigningCertURL": message.get(
                "SigningCertURL", f"{self.url}/SimpleNotificationService-1.pem"
            ),
        }
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.key.sign(sns.signed_text(message), padding.PKCS1v15(), algorithm)
        return {**message, "Signature": base64.b64encode(signature).decode()}


@pytest.fixture
def amazon(settings, live_server):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    fake = FakeSNS()
    settings.NEWSLETTER_SNS_URL = rf"^{fake.url}/"
    sns._certificate.cache_clear()
    fake.webhook = f"{live_server.url}/anymail/amazon_ses/tracking/"
    yield fake
    fake.server.shutdown()
    sns._certificate.cache_clear()


@pytest.fixture
def reader():
    return SubscriberFactory(email="reader@example.org", confirmation_sent_at=timezone.now())


def notification(ses_event: dict, **overrides) -> dict:
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": TOPIC,
        "Message": json.dumps(ses_event),
        "Timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        **overrides,
    }


def ses_bounce(kind="Permanent"):
    """An SES bounce notification, as Amazon's documentation shows it."""
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": kind,
            "bounceSubType": "General",
            "bouncedRecipients": [
                {"emailAddress": "reader@example.org", "action": "failed", "status": "5.1.1",
                 "diagnosticCode": "smtp; 550 5.1.1 user unknown"}
            ],
            "timestamp": "2026-12-01T12:00:00.000Z",
            "feedbackId": "000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000",
            "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com",
        },
        "mail": {
            "timestamp": "2026-12-01T11:59:58.000Z",
            "source": "news@example.com",
            "messageId": "00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000",
            "destination": ["reader@example.org"],
        },
    }  # fmt: skip


def ses_complaint():
    return {
        "notificationType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": "reader@example.org"}],
            "timestamp": "2026-12-01T12:00:00.000Z",
            "feedbackId": "0000013786031775-163e3910-53eb-4c8e-a04a-f29debf88a84-000000",
            "complaintFeedbackType": "abuse",
        },
        "mail": {
            "timestamp": "2026-12-01T11:59:58.000Z",
            "source": "news@example.com",
            "messageId": "000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000",
            "destination": ["reader@example.org"],
        },
    }


def post(url: str, message, *, auth: str | None = SECRET) -> int:
    fields = message if isinstance(message, dict) else {}
    headers = {
        "Content-Type": "text/plain; charset=UTF-8",  # what SNS sends
        "x-amz-sns-message-type": str(fields.get("Type")),
        "x-amz-sns-message-id": str(fields.get("MessageId")),
        "x-amz-sns-topic-arn": TOPIC,
    }
    return post_status(url, json.dumps(message).encode(), headers, auth)


def suppressed() -> bool:
    return Subscriber.objects.filter(suppressed_at__isnull=False).exists()


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_signed_bounce_suppresses_and_its_replay_changes_nothing(amazon, reader, version):
    message = amazon.sign(notification(ses_bounce()), version)
    assert post(amazon.webhook, message) == 200
    reader.refresh_from_db()
    assert reader.suppressed_at is not None
    assert reader.suppression_reason.startswith("Hard bounce")
    assert post(amazon.webhook, message) == 200
    assert MailEvent.objects.filter(kind="hard").count() == 1
    assert amazon.visits == ["/SimpleNotificationService-1.pem"]  # fetched once, kept


def test_a_signed_complaint_unsubscribes(amazon, reader):
    assert post(amazon.webhook, amazon.sign(notification(ses_complaint()), "2")) == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED


def test_a_transient_bounce_is_soft(amazon, reader):
    assert post(amazon.webhook, amazon.sign(notification(ses_bounce("Transient")))) == 200
    assert MailEvent.objects.get().kind == "soft"
    assert not suppressed()


def forgeries(amazon):
    signed = amazon.sign(notification(ses_bounce()))
    stale = (datetime.now(UTC) - timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    return {
        "tampered": {**signed, "Message": signed["Message"].replace("Permanent", "Permanent ")},
        "unsigned": {k: v for k, v in signed.items() if k != "Signature"},
        "bad base64": {**signed, "Signature": "not*base64"},
        "stale": amazon.sign(notification(ses_bounce(), Timestamp=stale)),
        "foreign certificate": amazon.sign(
            notification(ses_bounce(), SigningCertURL="http://sns.evil.example/cert.pem")
        ),
        "unknown version": {**signed, "SignatureVersion": "9"},
        "unknown type": {**signed, "Type": "Surprise"},
        "not an object": ["Type", "Notification"],
    }


@pytest.mark.parametrize(
    "name",
    ["tampered", "unsigned", "bad base64", "stale", "foreign certificate", "unknown version",
     "unknown type", "not an object"],
)  # fmt: skip
def test_what_amazon_did_not_sign_is_refused_and_changes_nothing(amazon, reader, name):
    assert post(amazon.webhook, forgeries(amazon)[name]) == 400
    assert not MailEvent.objects.exists()
    assert not suppressed()
    assert all(visit.endswith(".pem") for visit in amazon.visits)  # no evil fetch either


def test_a_body_that_is_not_json_is_a_400(amazon, reader):
    request = urllib.request.Request(
        amazon.webhook,
        data=b"\xff{not json",
        headers={"Authorization": "Basic " + base64.b64encode(SECRET.encode()).decode()},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400


def test_without_the_secret_nothing_is_fetched_or_applied(amazon, reader):
    assert post(amazon.webhook, amazon.sign(notification(ses_bounce())), auth="x:y") == 401
    assert amazon.visits == []
    assert not suppressed()


def test_an_unreachable_certificate_is_a_503_so_sns_tries_again(amazon, reader, settings):
    closed = f"http://127.0.0.1:{free_port()}"
    settings.NEWSLETTER_SNS_URL = r"^(http://127\.0\.0\.1:\d+)/"
    message = amazon.sign(notification(ses_bounce(), SigningCertURL=f"{closed}/cert.pem"))
    assert post(amazon.webhook, message) == 503
    assert not suppressed()


def subscription_confirmation(amazon, **overrides):
    return {
        "Type": "SubscriptionConfirmation",
        "MessageId": str(uuid.uuid4()),
        "Token": "2336412f37fb687f5d51e6e2425dacbba4d4d6ed9a1b3f4dd5ef0c0e6ff9c8b0",
        "TopicArn": TOPIC,
        "Message": f"You have chosen to subscribe to the topic {TOPIC}.",
        "SubscribeURL": f"{amazon.url}/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=2336",
        "Timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        **overrides,
    }


def test_a_signed_subscription_confirmation_is_confirmed(amazon):
    assert post(amazon.webhook, amazon.sign(subscription_confirmation(amazon))) == 200
    assert [v for v in amazon.visits if "ConfirmSubscription" in v] == [
        f"/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=2336"
    ]


def test_a_forged_subscription_confirmation_is_not_visited(amazon):
    forged = {**amazon.sign(subscription_confirmation(amazon)), "Token": "another"}
    assert post(amazon.webhook, forged) == 400
    elsewhere = amazon.sign(subscription_confirmation(amazon, SubscribeURL="http://evil.example/"))
    assert post(amazon.webhook, elsewhere) == 400
    assert not [v for v in amazon.visits if "ConfirmSubscription" in v]
