"""Per-message return paths (VERP): `bounces+d123-<mac>@example.com`.

With NEWSLETTER_BOUNCE_ADDRESS set, each issue email goes out with an envelope sender of
its own, so a bounce that reaches the bounce mailbox names the delivery it is about even
when the bouncing server quotes nothing of the original (many don't). `d` marks an issue
delivery, `c` a confirmation email to a subscriber. The short HMAC stops anyone from
bouncing other people's addresses by writing to made-up return paths.
"""

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare

from core import hmacs

SALT = "newsletter.return-path"
TOKEN = re.compile(r"\+([dc])(\d{1,18})-([0-9a-f]{10})@", re.IGNORECASE)


def _mac(kind: str, number: int) -> str:
    return hmacs.salted_hmac(SALT, f"{kind}{number}").hexdigest()[:10]


def _address(kind: str, number: int) -> str | None:
    base = getattr(settings, "NEWSLETTER_BOUNCE_ADDRESS", "")
    if not base or "@" not in base:
        return None
    local, _, domain = base.rpartition("@")
    return f"{local}+{kind}{number}-{_mac(kind, number)}@{domain}"


def for_delivery(delivery_id: int) -> str | None:
    """The envelope sender of one issue email, or None without a bounce address."""
    return _address("d", delivery_id)


def for_confirmation(subscriber_id: int) -> str | None:
    """The envelope sender of a subscriber's confirmation email."""
    return _address("c", subscriber_id)


def parse(address: str) -> tuple[str, int] | None:
    """("d", delivery id) or ("c", subscriber id) from an address carrying a valid token;
    None for anything else (a forged or damaged token included)."""
    match = TOKEN.search(address or "")
    if not match:
        return None
    kind, number, mac = match.group(1).lower(), int(match.group(2)), match.group(3).lower()
    if not constant_time_compare(mac, _mac(kind, number)):
        return None
    return kind, number
