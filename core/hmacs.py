"""Django's salted HMACs, with the derived key kept.

django.utils.crypto.salted_hmac derives its key (SHA-256 of the salt and SECRET_KEY) again
for every value. The newsletter's send loop signs two values a message (the unsubscribe
link, the return path), and deriving was most of that cost. These give the same bytes as
Django's (tests/core/test_hmacs.py compares them), with the key derived once per salt and
secret; verifying stays Django's (signing.Signer.unsign, with SECRET_KEY_FALLBACKS).
"""

import base64
import functools
import hashlib
import hmac

from django.conf import settings


@functools.lru_cache(maxsize=16)
def _keyed(key_salt: str, secret: str):
    key = hashlib.sha256((key_salt + secret).encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def salted_hmac(key_salt: str, value: str):
    """django.utils.crypto.salted_hmac(key_salt, value, algorithm="sha256")."""
    mac = _keyed(key_salt, settings.SECRET_KEY).copy()
    mac.update(value.encode())
    return mac


def sign(value: str, salt: str) -> str:
    """django.core.signing.Signer(salt=salt).sign(value)."""
    digest = salted_hmac(salt + "signer", value).digest()
    return f"{value}:{base64.urlsafe_b64encode(digest).strip(b'=').decode()}"
