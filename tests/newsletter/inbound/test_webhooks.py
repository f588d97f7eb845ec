"""Provider webhooks at the live server (/anymail/<provider>/tracking/): each provider's
documented payload applied through the suppression policy, basic auth and the provider's
signature checked before anything changes, a replayed event applied once, and no 500 for a
provider that is not configured."""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from newsletter.models import MailEvent, Subscriber
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "hook-user:hook-password-123"
MAILGUN_KEY = "key-mailgun-signing-0123456789"


@pytest.fixture
def hooks(settings, live_server):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    return live_server.url


@pytest.fixture
def reader():
    return SubscriberFactory(email="reader@example.org", confirmation_sent_at=timezone.now())


def post(url: str, payload: dict, *, auth: str | None = SECRET) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def postmark_bounce(kind="HardBounce", record="Bounce", event_id=4323372036):
    """Postmark's bounce webhook, as its documentation shows it."""
    return {
        "RecordType": record,
        "ID": event_id,
        "Type": kind,
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": "reader@example.org",
        "From": "news@example.com",
        "BouncedAt": "2026-12-01T09:12:01Z",
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Issue 1",
    }


def mailgun_event(severity="permanent", *, key=MAILGUN_KEY, event="failed"):
    """Mailgun's webhook (the JSON API), signed as Mailgun signs it: HMAC-SHA256 of the
    timestamp and the token with the webhook signing key."""
    timestamp, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "severity": severity,
            "id": "G9Bn5sl1TC6kVhrVSAXAzg",
            "timestamp": time.time(),
            "recipient": "reader@example.org",
            "reason": "bounce",
            "message": {"headers": {"message-id": "issue-1.999999@blog.example.com"}},
            "delivery-status": {
                "code": 550 if severity == "permanent" else 452,
                "message": "5.1.1 No such user" if severity == "permanent" else "4.2.2 Full",
                "description": "",
            },
        },
    }


def test_a_postmark_hard_bounce_suppresses_and_a_replay_changes_nothing(hooks, reader):
    url = hooks + "/anymail/postmark/tracking/"
    assert post(url, postmark_bounce())[0] == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED
    assert "5.1.1" in reader.suppression_reason
    assert post(url, postmark_bounce())[0] == 200
    event = MailEvent.objects.get()
    assert (event.kind, event.source, event.subscriber) == ("hard", "webhook:postmark", reader)


def test_a_postmark_complaint_unsubscribes(hooks, reader):
    payload = postmark_bounce(kind="SpamComplaint", record="SpamComplaint", event_id=77)
    assert post(hooks + "/anymail/postmark/tracking/", payload)[0] == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert reader.suppressed_at is not None


def test_a_signed_mailgun_failure_is_applied(hooks, reader):
    assert post(hooks + "/anymail/mailgun/tracking/", mailgun_event())[0] == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED


def test_a_temporary_mailgun_failure_is_a_soft_bounce(hooks, reader):
    assert post(hooks + "/anymail/mailgun/tracking/", mailgun_event("temporary"))[0] == 200
    assert MailEvent.objects.get().kind == "soft"
    reader.refresh_from_db()
    assert reader.suppressed_at is None


def test_deliveries_and_opens_leave_no_trace(hooks, reader):
    assert post(hooks + "/anymail/mailgun/tracking/", mailgun_event(event="delivered"))[0] == 200
    assert post(hooks + "/anymail/mailgun/tracking/", mailgun_event(event="opened"))[0] == 200
    assert not MailEvent.objects.exists()


@pytest.mark.parametrize(("auth", "status"), [(None, 401), ("hook-user:wrong", 401), (SECRET, 400)])
def test_a_forged_mailgun_post_changes_nothing(hooks, reader, auth, status):
    forged = mailgun_event(key="not-the-key")
    code, headers = post(hooks + "/anymail/mailgun/tracking/", forged, auth=auth)
    assert code == status
    if status == 401:
        assert headers["WWW-Authenticate"].startswith("Basic")
    assert not MailEvent.objects.exists()
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE


def test_without_a_secret_every_webhook_is_refused(hooks, reader, settings):
    settings.ANYMAIL = {}
    assert post(hooks + "/anymail/postmark/tracking/", postmark_bounce(), auth=None)[0] == 403
    assert not MailEvent.objects.exists()


def test_a_provider_without_its_signing_key_is_refused_not_a_500(hooks, reader, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    assert post(hooks + "/anymail/mailgun/tracking/", mailgun_event())[0] == 403
    assert not MailEvent.objects.exists()
