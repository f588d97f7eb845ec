"""core.hmacs gives Django's bytes: the unsubscribe links and return paths already in
people's mailboxes must keep verifying."""

from django.core import signing
from django.utils.crypto import salted_hmac

from core import hmacs

VALUES = ["", "12.5f0c2a", "d123456789", "ünïcödé", "x" * 500]


def test_salted_hmacs_are_djangos(settings):
    for secret in ("first-secret-" + "k" * 40, "second-secret-" + "z" * 40):
        settings.SECRET_KEY = secret
        for value in VALUES:
            ours = hmacs.salted_hmac("newsletter.return-path", value).hexdigest()
            assert (
                ours == salted_hmac("newsletter.return-path", value, algorithm="sha256").hexdigest()
            )


def test_signatures_are_djangos_and_verify_with_django(settings):
    for secret in ("first-secret-" + "k" * 40, "second-secret-" + "z" * 40):
        settings.SECRET_KEY = secret
        for value in VALUES:
            signed = hmacs.sign(value, "newsletter.unsubscribe")
            assert signed == signing.Signer(salt="newsletter.unsubscribe").sign(value)
            assert signing.Signer(salt="newsletter.unsubscribe").unsign(signed) == value
