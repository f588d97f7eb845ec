from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import dkim_keys


class Command(BaseCommand):
    help = (
        "Make a DKIM key pair: the private key goes to --output (mode 600), and the DNS TXT "
        "record to publish is printed. Then set DKIM_DOMAIN, DKIM_SELECTOR and "
        "DKIM_PRIVATE_KEY_FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--domain", default=settings.DKIM["DOMAIN"] or None,
                            help="the signing domain (default: DKIM_DOMAIN)")  # fmt: skip
        parser.add_argument("--selector", default=settings.DKIM["SELECTOR"],
                            help="the selector (default: DKIM_SELECTOR, 'blog')")  # fmt: skip
        parser.add_argument("--type", choices=["rsa", "ed25519"], default="rsa",
                            help="RSA (default; every verifier) or Ed25519 (RFC 8463)")  # fmt: skip
        parser.add_argument("--bits", type=int, default=dkim_keys.RECOMMENDED_RSA_BITS)
        parser.add_argument("--output", required=True, type=Path,
                            help="the private key file to write (PEM)")  # fmt: skip

    def handle(self, *args, domain, selector, type, bits, output, **options):
        if not domain or not dkim_keys.valid_name(domain):
            raise CommandError("Give the signing domain: --domain example.com (or DKIM_DOMAIN).")
        if not dkim_keys.valid_name(selector):
            raise CommandError(f"Not a valid selector: {selector!r} (letters, digits, hyphens).")
        if output.exists():
            raise CommandError(f"{output} exists already: not overwritten.")
        try:
            key = dkim_keys.generate(type, bits)
        except dkim_keys.DKIMKeyError as error:
            raise CommandError(str(error)) from None
        output.touch(mode=0o600)
        output.write_text(key.private_pem())
        self.stdout.write(f"Private key written to {output}. Publish this DNS record:\n")
        self.stdout.write(dkim_keys.dns_record(key, selector, domain))
        self.stdout.write(
            f"\nThen set DKIM_DOMAIN={domain} DKIM_SELECTOR={selector} "
            f"DKIM_PRIVATE_KEY_FILE={output.resolve()}"
        )
