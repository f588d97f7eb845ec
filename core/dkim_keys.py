"""DKIM keys: reading the configured private key, making new ones, and the DNS record that
publishes the public half (RFC 6376 section 3.6.1; Ed25519 keys per RFC 8463).

The key operations are OpenSSL's, through `cryptography`, imported only where a key is
used: a site without DKIM runs without the package.
"""

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path

RSA = b"rsa-sha256"
ED25519 = b"ed25519-sha256"
# RFC 8301: verifiers ignore RSA keys under 1024 bits; 2048 is what the RFC asks signers for.
MIN_RSA_BITS = 1024
RECOMMENDED_RSA_BITS = 2048
# A DNS TXT record is a list of strings of at most 255 bytes each (RFC 1035 section 3.3).
TXT_STRING = 255
# RFC 6376 section 3.1: a selector is dot-separated labels of letters, digits and hyphens.
LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


class DKIMKeyError(Exception):
    """The configured key cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class SigningKey:
    algorithm: bytes  # the DKIM a= value, RSA or ED25519
    private: object  # a cryptography private key object
    bits: int

    def sign_digest(self, digest: bytes) -> bytes:
        """The signature over the SHA-256 digest of the signed header fields, as DKIM puts
        it in b=: RSASSA-PKCS1-v1_5 for RSA (RFC 6376 3.3.1), plain Ed25519 of the digest
        itself for Ed25519 (RFC 8463 section 3)."""
        if self.algorithm == ED25519:
            return self.private.sign(digest)
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, utils

        return self.private.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))

    @property
    def kind(self) -> str:
        """The k= of the DNS record: "rsa" or "ed25519"."""
        return "ed25519" if self.algorithm == ED25519 else "rsa"

    def public_value(self) -> str:
        """The p= of the DNS record: the DER SubjectPublicKeyInfo for RSA, the raw 32-byte
        public key for Ed25519 (RFC 8463 section 4.2), in base64."""
        from cryptography.hazmat.primitives import serialization

        public = self.private.public_key()
        if self.algorithm == ED25519:
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        else:
            raw = public.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        return base64.b64encode(raw).decode()

    def private_pem(self) -> str:
        """The private key as unencrypted PKCS#8 PEM (what DKIM_PRIVATE_KEY holds)."""
        from cryptography.hazmat.primitives import serialization

        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()


def _cryptography():
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    except ImportError as error:
        raise DKIMKeyError(
            "DKIM signing needs the `cryptography` package: pip install cryptography"
        ) from error
    return ed25519, rsa


def load_key(data: bytes) -> SigningKey:
    """A private key from PEM (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY", RSA or
    Ed25519), or an Ed25519 key as the base64 of its 32-byte seed (the form dkimpy's and
    rspamd's key generators write). Raises DKIMKeyError saying what is wrong."""
    ed25519, rsa = _cryptography()
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    text = data.strip()
    if not text:
        raise DKIMKeyError("the private key is empty")
    if text.startswith(b"-----BEGIN"):
        try:
            private = serialization.load_pem_private_key(text, password=None)
        except TypeError as error:  # cryptography's word for "needs a password"
            raise DKIMKeyError(
                "the private key is encrypted; DKIM needs it without a passphrase "
                "(openssl pkey -in KEY -out PLAIN.pem)"
            ) from error
        except (ValueError, UnsupportedAlgorithm) as error:
            raise DKIMKeyError(f"the private key does not parse as PEM: {error}") from error
    else:
        try:
            seed = base64.b64decode(text, validate=True)
        except binascii.Error:
            seed = b""
        if len(seed) != 32:
            raise DKIMKeyError(
                "the private key is neither PEM (-----BEGIN … PRIVATE KEY-----) nor an "
                "Ed25519 seed in base64"
            )
        private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return SigningKey(ED25519, private, 256)
    if isinstance(private, rsa.RSAPrivateKey):
        if private.key_size < MIN_RSA_BITS:
            raise DKIMKeyError(
                f"the RSA key has {private.key_size} bits; receivers ignore DKIM keys under "
                f"{MIN_RSA_BITS} bits (RFC 8301): make a new one with manage.py dkim_keygen"
            )
        return SigningKey(RSA, private, private.key_size)
    raise DKIMKeyError(
        f"the private key is a {type(private).__name__}; DKIM signs with RSA or Ed25519 keys"
    )


def read_key(config: dict) -> SigningKey:
    """The key that settings.DKIM names (PRIVATE_KEY, or the file PRIVATE_KEY_FILE)."""
    pem, path = config.get("PRIVATE_KEY", ""), config.get("PRIVATE_KEY_FILE", "")
    if pem and path:
        raise DKIMKeyError(
            "both DKIM_PRIVATE_KEY and DKIM_PRIVATE_KEY_FILE are set: keep one of them"
        )
    if not pem and not path:
        raise DKIMKeyError(
            "DKIM_DOMAIN is set but there is no private key: set DKIM_PRIVATE_KEY_FILE (or "
            "DKIM_PRIVATE_KEY); manage.py dkim_keygen makes one"
        )
    if path:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise DKIMKeyError(
                f"DKIM_PRIVATE_KEY_FILE {path!r} cannot be read: {error.strerror or error}"
            ) from error
        try:
            return load_key(data)
        except DKIMKeyError as error:
            raise DKIMKeyError(f"DKIM_PRIVATE_KEY_FILE {path!r}: {error}") from error
    try:
        return load_key(pem.encode())
    except DKIMKeyError as error:
        raise DKIMKeyError(f"DKIM_PRIVATE_KEY: {error}") from error


def generate(kind: str = "rsa", bits: int = RECOMMENDED_RSA_BITS) -> SigningKey:
    """A new private key: RSA of `bits` bits, or Ed25519."""
    ed25519, rsa = _cryptography()
    if kind == "ed25519":
        return SigningKey(ED25519, ed25519.Ed25519PrivateKey.generate(), 256)
    if bits < MIN_RSA_BITS:
        raise DKIMKeyError(f"RSA keys need at least {MIN_RSA_BITS} bits (RFC 8301)")
    return SigningKey(RSA, rsa.generate_private_key(public_exponent=65537, key_size=bits), bits)


def valid_name(name: str) -> bool:
    """A selector or domain as DKIM allows it: dot-separated letters, digits, hyphens."""
    return bool(name) and all(LABEL.fullmatch(label) for label in name.split("."))


def txt_value(key: SigningKey) -> str:
    """The text of the public key record (RFC 6376 section 3.6.1)."""
    return f"v=DKIM1; k={key.kind}; p={key.public_value()}"


def dns_record(key: SigningKey, selector: str, domain: str) -> str:
    """The zone-file line to publish: `<selector>._domainkey.<domain>. IN TXT "…" "…"`,
    the value cut into strings of at most 255 characters (an RSA-2048 record needs two);
    DNS joins them back without spaces."""
    value = txt_value(key)
    strings = [value[i : i + TXT_STRING] for i in range(0, len(value), TXT_STRING)]
    quoted = " ".join(f'"{s}"' for s in strings)
    return f"{selector}._domainkey.{domain.rstrip('.')}. IN TXT {quoted}"
