"""Amazon SNS message signatures, for Amazon SES's webhook (/anymail/amazon_ses/tracking/).

anymail checks the shared secret (basic auth) but not SNS's signature. Here every post to
that URL must carry a valid one: Amazon signs each message with the key of an X.509
certificate it publishes at `SigningCertURL`, and the URL must be Amazon SNS's own over
https (NEWSLETTER_SNS_URL, a pattern), so nobody else's certificate is ever trusted. The
canonical text signed is the message's fields, in the order AWS documents, each as its
name and value on lines of their own; SignatureVersion 1 is RSA with SHA-1, 2 with SHA-256.
A message older than an hour is refused too (a replayed capture).

https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html

A verified subscription confirmation is confirmed here by visiting its `SubscribeURL`
(Amazon SNS's own too), which needs no AWS credentials; anymail would need boto3 and
credentials for it.
"""

import base64
import binascii
import functools
import logging
import re
import urllib.request
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptographyInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_SNS_URL = r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/"
MAX_AGE = timedelta(hours=1)
CERTIFICATE_MAX_BYTES = 64 * 1024
FETCH_TIMEOUT = 5

# The fields each kind of message signs, in the order they are signed.
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"
    ),
    "UnsubscribeConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"
    ),
}  # fmt: skip
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}


class Refused(Exception):
    """The message is not one Amazon SNS signed (the webhook answers 400)."""


class Unavailable(Exception):
    """Amazon's certificate could not be fetched now (503: SNS tries again later)."""


def _amazon_url(url) -> bool:
    pattern = getattr(settings, "NEWSLETTER_SNS_URL", DEFAULT_SNS_URL)
    return isinstance(url, str) and re.match(pattern, url) is not None


def _fetch(url: str, limit: int) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:
            body = response.read(limit + 1)
    except (OSError, ValueError) as error:
        raise Unavailable(f"could not fetch {url}: {error}") from error
    if len(body) > limit:
        raise Refused(f"{url} answered more than {limit} bytes")
    return body


@functools.lru_cache(maxsize=16)
def _certificate(url: str) -> x509.Certificate:
    """Amazon's signing certificate at `url`, fetched once per process (they rotate by URL)."""
    try:
        return x509.load_pem_x509_certificate(_fetch(url, CERTIFICATE_MAX_BYTES))
    except ValueError as error:
        raise Refused(f"{url} is not a certificate") from error


def signed_text(message: dict) -> bytes:
    fields = SIGNED_FIELDS[message["Type"]]
    return "".join(
        f"{name}\n{message[name]}\n" for name in fields if message.get(name) is not None
    ).encode()


def verify(message, *, now: datetime | None = None) -> None:
    """Raise Refused unless `message` (a parsed SNS post) is signed by Amazon SNS, and
    Unavailable when that can't be told now."""
    if not isinstance(message, dict) or message.get("Type") not in SIGNED_FIELDS:
        raise Refused("not an Amazon SNS message")
    if not all(isinstance(message.get(name, ""), str) for name in SIGNED_FIELDS[message["Type"]]):
        raise Refused("a signed field is not text")
    algorithm = HASHES.get(str(message.get("SignatureVersion")))
    if algorithm is None:
        raise Refused(f"unknown SignatureVersion {message.get('SignatureVersion')!r}")
    url = message.get("SigningCertURL")
    if not _amazon_url(url):
        raise Refused(f"SigningCertURL {url!r} is not Amazon SNS's")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
        sent = datetime.fromisoformat(str(message.get("Timestamp", "")).replace("Z", "+00:00"))
    except (binascii.Error, ValueError) as error:
        raise Refused(f"unreadable Signature or Timestamp: {error}") from error
    now = now or datetime.now(UTC)
    if sent.tzinfo is None or not (now - MAX_AGE <= sent <= now + timedelta(minutes=5)):
        raise Refused(f"Timestamp {message['Timestamp']} is not within the last hour")
    certificate = _certificate(url)
    if not (certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc):
        raise Refused(f"the certificate at {url} is not valid now")
    try:
        certificate.public_key().verify(
            signature, signed_text(message), padding.PKCS1v15(), algorithm()
        )
    except (CryptographyInvalidSignature, TypeError, ValueError) as error:
        raise Refused("the signature does not match the message") from error


def confirm_subscription(message: dict) -> None:
    """Visit a verified SubscriptionConfirmation's SubscribeURL: that confirms it."""
    url = message.get("SubscribeURL")
    if not _amazon_url(url):
        raise Refused(f"SubscribeURL {url!r} is not Amazon SNS's")
    _fetch(url, 1024 * 1024)
    logger.info("Confirmed the Amazon SNS subscription to %s", message.get("TopicArn"))
