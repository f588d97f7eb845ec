"""DKIM signing (core.dkim): dkim_keygen's key and DNS record, and messages the site sends
over real SMTP (a confirmation through the signing backend, an issue through the send loop)
verified by dkimpy against that record; off without DKIM_DOMAIN."""

import io
import re

import dkim as dkimpy
import pytest
from django.core.management import CommandError, call_command

from core import dkim, dkim_keys
from newsletter import sending, subscriptions
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

DOMAIN = "blog.example.com"


@pytest.fixture(scope="module")
def key():
    return dkim_keys.generate("rsa", 2048)


@pytest.fixture
def signing(settings, key, smtp):
    settings.DKIM = {"DOMAIN": DOMAIN, "SELECTOR": "blog", "PRIVATE_KEY": key.private_pem(),
                     "PRIVATE_KEY_FILE": ""}  # fmt: skip
    dkim._key.cache_clear()
    return smtp


def verifies(raw: bytes, key) -> bool:
    record = dkim_keys.txt_value(key).encode()

    def dns(name, timeout=5):
        return record if name == b"blog._domainkey." + DOMAIN.encode() + b"." else None

    return dkimpy.verify(raw, dnsfunc=dns)


def test_dkim_keygen_writes_a_private_key_and_prints_the_record(tmp_path):
    out = io.StringIO()
    path = tmp_path / "dkim.pem"
    call_command("dkim_keygen", "--domain", DOMAIN, "--output", str(path), stdout=out)
    assert path.stat().st_mode & 0o777 == 0o600
    key = dkim_keys.load_key(path.read_bytes())
    record = re.search(r'blog\._domainkey\.blog\.example\.com\. IN TXT (".*")', out.getvalue())
    assert "".join(re.findall(r'"([^"]*)"', record.group(1))) == dkim_keys.txt_value(key)
    assert "DKIM_PRIVATE_KEY_FILE=" in out.getvalue()
    with pytest.raises(CommandError, match="exists already"):
        call_command("dkim_keygen", "--domain", DOMAIN, "--output", str(path))


def test_dkim_keygen_refuses_a_bad_domain_or_selector(tmp_path):
    with pytest.raises(CommandError, match="signing domain"):
        call_command("dkim_keygen", "--domain", "not a domain", "--output", str(tmp_path / "k"))
    with pytest.raises(CommandError, match="selector"):
        call_command("dkim_keygen", "--domain", DOMAIN, "--selector", "a_b",
                     "--output", str(tmp_path / "k"))  # fmt: skip
    assert not (tmp_path / "k").exists()


def test_a_confirmation_email_is_signed_and_verifies(signing, key, site, run_worker):
    subscriptions.signup("new@example.org")
    run_worker()
    [(_recipient, raw)] = signing.messages
    assert raw.startswith(b"DKIM-Signature: ")
    assert verifies(raw, key)
    assert not verifies(raw.replace(b"Subject: ", b"Subject: Re: ", 1), key)


def test_issue_emails_are_signed_and_verify(signing, key, site, run_worker):
    for name in ("ann", "bob"):
        SubscriberFactory(email=f"{name}@example.org")
    sending.start_sending(IssueFactory())
    run_worker()
    assert len(signing.messages) == 2
    for _, raw in signing.messages:
        signed = dkimpy.rfc822_parse(raw)[0][0]
        assert signed[0] == b"DKIM-Signature"
        assert b"list-unsubscribe" in signed[1]
        assert verifies(raw, key)


def test_without_a_domain_nothing_is_signed(smtp, settings, site, run_worker):
    settings.DKIM = {**settings.DKIM, "DOMAIN": ""}
    subscriptions.signup("new@example.org")
    run_worker()
    assert b"DKIM-Signature" not in smtp.messages[0][1]


def test_an_unusable_key_fails_the_system_check(settings, tmp_path, key):
    """`manage.py check` (and migrate, at deploy) says so, instead of a log line per email."""
    from core.checks import dkim_key_usable

    missing = tmp_path / "no-such-key.pem"
    settings.DKIM = {"DOMAIN": DOMAIN, "SELECTOR": "blog", "PRIVATE_KEY": "",
                     "PRIVATE_KEY_FILE": str(missing)}  # fmt: skip
    dkim._key.cache_clear()
    [error] = dkim_key_usable(None)
    assert error.id == "core.E001"
    assert "can't be used" in error.msg
    settings.DKIM = {**settings.DKIM, "PRIVATE_KEY": key.private_pem(), "PRIVATE_KEY_FILE": ""}
    dkim._key.cache_clear()
    assert dkim_key_usable(None) == []
    settings.DKIM = {**settings.DKIM, "DOMAIN": ""}
    assert dkim_key_usable(None) == []
    dkim._key.cache_clear()
