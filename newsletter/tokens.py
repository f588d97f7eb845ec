"""The links in newsletter emails: confirm a signup, unsubscribe.

Both are signed with Django's signing framework (HMAC-SHA256 with SECRET_KEY), so nothing
secret is stored in the database and a leaked table yields no working link:

- **Unguessable**: a link carries the subscriber's id, a random per-subscriber value and
  a signature; without SECRET_KEY nobody can make one (SECRET_KEY_FALLBACKS keep old links
  working through a key rotation).
- **Single-purpose**: each kind has its own salt, so a confirmation link is not a valid
  unsubscribe link or anything else signed by the site.
- **Expiring**: a confirmation link carries its signing time and is refused after
  NEWSLETTER_CONFIRM_MAX_AGE_DAYS. It also names the subscriber's current
  `confirm_nonce`, which changes whenever the address becomes pending again, so a link
  from an earlier signup can never re-subscribe someone who left; it only ever moves a
  pending address to active, so using it twice does nothing more.
- Unsubscribe links do not expire: they sit in every issue in people's archives, and
  RFC 8058 expects them to keep working. They name `unsubscribe_key`, so a link made for
  an erased subscriber cannot unsubscribe a later row that happens to reuse its id. An
  email's link also names its topic: one click leaves that topic only (a link without a
  topic, from before topics, leaves everything).
- Preferences links (the footer's "Choose what you receive") are signed like unsubscribe
  links with their own salt, and never expire either.
"""

import datetime

from django.conf import settings
from django.core import signing

from core import hmacs
from newsletter.models import Subscriber

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
PREFERENCES_SALT = "newsletter.preferences"


def confirm_token(subscriber: Subscriber) -> str:
    value = f"{subscriber.pk}.{subscriber.confirm_nonce}"
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(value)


def unsubscribe_token(subscriber: Subscriber, topic_id: int | None = None) -> str:
    """signing.Signer(salt=UNSUBSCRIBE_SALT).sign(...), its key derived once (core.hmacs):
    one per message an issue sends. With `topic_id`, the link leaves that topic only."""
    value = f"{subscriber.pk}.{subscriber.unsubscribe_key}"
    if topic_id is not None:
        value += f".{topic_id}"
    return hmacs.sign(value, UNSUBSCRIBE_SALT)


def preferences_token(subscriber: Subscriber) -> str:
    return hmacs.sign(f"{subscriber.pk}.{subscriber.unsubscribe_key}", PREFERENCES_SALT)


def _parts(value: str) -> tuple[int, str] | None:
    pk, sep, secret = value.partition(".")
    if not sep or not pk.isdigit():
        return None
    return int(pk), secret


def subscriber_for_confirm_token(token: str) -> Subscriber | None:
    """The subscriber a valid, unexpired confirmation link was made for, or None."""
    max_age = datetime.timedelta(days=settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS)
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    parts = _parts(value)
    if parts is None:
        return None
    return Subscriber.objects.filter(pk=parts[0], confirm_nonce=parts[1]).first()


def unsubscribe_target(token: str) -> tuple[Subscriber, int | None] | None:
    """The subscriber an unsubscribe link was made for and the topic it leaves (None: every
    topic), or None for a link that is not valid (or whose subscriber was erased)."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    parts = _parts(value)
    if parts is None:
        return None
    key, _, topic = parts[1].partition(".")  # keys are URL-safe base64: never a dot
    if topic and not topic.isdigit():
        return None
    subscriber = Subscriber.objects.filter(pk=parts[0], unsubscribe_key=key).first()
    if subscriber is None:
        return None
    return subscriber, int(topic) if topic else None


def subscriber_for_unsubscribe_token(token: str) -> Subscriber | None:
    target = unsubscribe_target(token)
    return target[0] if target else None


def subscriber_for_preferences_token(token: str) -> Subscriber | None:
    try:
        value = signing.Signer(salt=PREFERENCES_SALT).unsign(token)
    except signing.BadSignature:
        return None
    parts = _parts(value)
    if parts is None:
        return None
    return Subscriber.objects.filter(pk=parts[0], unsubscribe_key=parts[1]).first()
