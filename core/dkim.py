"""DKIM signing of every message the site sends itself (RFC 6376), on once settings.DKIM
names a DOMAIN. The SMTP backend (core.mail.SigningSMTPBackend) and the newsletter's send
loop both call `sign` on the bytes they are about to send.

dkimpy does the DKIM part: parsing the message, relaxed/relaxed canonicalisation, picking
and hashing the header fields, writing and folding the DKIM-Signature field. The private
key operation is OpenSSL's (core.dkim_keys), not dkimpy's own: dkimpy computes RSA in pure
Python, 6 ms a message for RSA-2048 on this machine against 0.25 ms (scripts/bench_dkim.py),
which alone would hold one worker to about 150 messages a second; and its Ed25519 needs
PyNaCl, a second cryptography library. The bytes are those `dkim.sign` writes for the same
message, key and time (tests/core/test_dkim.py compares them).

**When signing fails.** The key is read once, at the first message (`configured_key`). A
key that cannot be used, or a message dkimpy cannot parse (which our own code never
writes), is logged as an error and the message is sent unsigned rather than held back. A
newsletter must not stall on one message, and mail sent straight from the site's server
still passes DMARC through SPF (the return path is on the site's own domain); a message
refused for want of a signature would be lost instead.
"""

import base64
import hashlib
import logging
import time
from functools import lru_cache

import dkim as dkimpy
from django.conf import settings
from dkim.canonicalization import CanonicalizationPolicy

from core.dkim_keys import SigningKey, read_key

logger = logging.getLogger(__name__)

NAME = b"DKIM-Signature"
RELAXED = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")
# The header fields signed, every instance present. Signing the list headers keeps a
# forwarder from swapping the unsubscribe link; Received and Return-Path change on the
# way and are never signed.
SIGNED = frozenset(
    (
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"mime-version",
        b"content-type",
        b"list-unsubscribe",
        b"list-unsubscribe-post",
        b"list-id",
        b"reply-to",
    )
)


def enabled() -> bool:
    """Whether messages are signed: DKIM_DOMAIN is set. Cheap: one dictionary look-up."""
    return bool(settings.DKIM["DOMAIN"])


@lru_cache(maxsize=4)
def _key(domain: str, selector: str, pem: str, path: str) -> SigningKey:
    # Keyed on the settings' values, so a changed setting (in tests) reads its own key.
    return read_key({"PRIVATE_KEY": pem, "PRIVATE_KEY_FILE": path})


def configured_key() -> SigningKey:
    """The key settings.DKIM names, read once. Raises core.dkim_keys.DKIMKeyError."""
    config = settings.DKIM
    return _key(
        config["DOMAIN"], config["SELECTOR"], config["PRIVATE_KEY"], config["PRIVATE_KEY_FILE"]
    )


def sign(message: bytes) -> bytes:
    """`message` with a DKIM-Signature field put in front, or as it was (logged) if it
    cannot be signed; the module docstring says why it then still goes out."""
    config = settings.DKIM
    try:
        key = configured_key()
        field = signature_field(
            message,
            key,
            domain=config["DOMAIN"].encode("ascii"),
            selector=config["SELECTOR"].encode("ascii"),
        )
    except Exception:
        logger.exception("DKIM signing failed; the message goes out unsigned")
        return message
    return field + message


def headers_to_sign(headers: list) -> list[bytes]:
    """The h= list: each signed field as often as it appears, then From once more, so no
    second From can be added without breaking the signature (RFC 6376 section 8.15)."""
    names = [name.lower() for name, _ in headers]
    return [name for name in names if name in SIGNED] + [b"from"]


def signature_field(
    message: bytes,
    key: SigningKey,
    *,
    domain: bytes,
    selector: bytes,
    timestamp: int | None = None,
    include: list[bytes] | None = None,
) -> bytes:
    """The DKIM-Signature field for `message`, ending in the message's own line ending;
    `include` is the h= list (lower-case names), headers_to_sign's unless given.

    The steps of dkimpy's DKIM.sign (1.1.8), with the key operation handed to OpenSSL."""
    linesep = b"\n" if b"\r\n" not in message[:2000] else b"\r\n"
    headers, body = dkimpy.rfc822_parse(message)
    include = headers_to_sign(headers) if include is None else include
    body_hash = base64.b64encode(hashlib.sha256(RELAXED.canonicalize_body(body)).digest())
    stamp = int(time.time()) if timestamp is None else timestamp
    fields = [
        (b"v", b"1"),
        (b"a", key.algorithm),
        (b"c", RELAXED.to_c_value()),
        (b"d", domain),
        (b"i", b"@" + domain),
        (b"q", b"dns/txt"),
        (b"s", selector),
        (b"t", str(stamp).encode("ascii")),
        (b"h", b" : ".join(include)),
        (b"bh", body_hash),
        # A placeholder long enough to fold b= onto a line of its own, so that putting
        # the signature in does not move the folds before it.
        (b"b", b"0" * 60),
    ]
    unsigned = dkimpy.fold(_joined(fields), namelen=len(NAME), linesep=b"\r\n")
    unsigned = dkimpy.RE_BTAG.sub(b"\\1", unsigned)
    hasher = hashlib.sha256()
    dkimpy.hash_headers(
        hasher,
        RELAXED,
        RELAXED.canonicalize_headers(headers),
        include,
        (NAME, b" " + unsigned),
        dict(fields),
    )
    fields[-1] = (b"b", base64.b64encode(key.sign_digest(hasher.digest())))
    value = dkimpy.fold(_joined(fields) + linesep, namelen=len(NAME), linesep=linesep)
    return NAME + b": " + value


def _joined(fields) -> bytes:
    return b"; ".join(b"=".join(field) for field in fields)
