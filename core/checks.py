"""System checks for settings that are read lazily, so a mistake shows at deploy time
(`manage.py check`, `migrate`) instead of in the first email's log line."""

from django.core import checks

from core import dkim
from core.dkim_keys import DKIMKeyError


@checks.register(checks.Tags.security)
def dkim_key_usable(app_configs, **kwargs):
    """With DKIM_DOMAIN set, the key must be readable: otherwise every message would go
    out unsigned (core.dkim logs each one and sends it anyway)."""
    if not dkim.enabled():
        return []
    try:
        dkim.configured_key()
    except DKIMKeyError as error:
        return [
            checks.Error(
                f"DKIM signing is on (DKIM_DOMAIN) but its key can't be used: {error}",
                hint="Set DKIM_PRIVATE_KEY_FILE (or DKIM_PRIVATE_KEY) to the PEM that "
                "`manage.py dkim_keygen` wrote, or unset DKIM_DOMAIN.",
                id="core.E001",
            )
        ]
    return []
