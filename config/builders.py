"""Functions that turn environment values into settings values.

They live here so that config/settings.py reads as a list of settings, topic by topic; each
takes plain values (no access to django.conf.settings) and returns what the setting holds.
"""

import os
from urllib.parse import urlsplit

from django.utils.csp import CSP


def content_security_policy(media_origin: str) -> dict:
    """Nothing inline, nothing from other hosts; images and audio also from the media
    origin when media are served from one (object storage, a CDN)."""
    media = [media_origin] if media_origin else []
    return {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF],
        "img-src": [CSP.SELF, "data:", *media],
        "media-src": [CSP.SELF, *media],
        "font-src": [CSP.SELF],
        "connect-src": [CSP.SELF],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.SELF],
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
    }


def served_at(host: str, port: str) -> str:
    """The development server's address for links, from `make run HOST=… PORT=…`.

    A wildcard host is reached through loopback; an IPv6 address gets its brackets."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def s3_storage(env, bucket: str) -> dict:
    """django-storages' S3 backend for media, from the S3_* variables (README: "Media on
    object storage"). Files are public URLs without signatures (they are published content)
    unless S3_QUERYSTRING_AUTH=true."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "custom_domain": env.str("S3_CUSTOM_DOMAIN", default="") or None,
            "location": env.str("S3_PREFIX", default="media"),
            "querystring_auth": env.bool("S3_QUERYSTRING_AUTH", default=False),
            # Readers fetch media straight from the bucket: make it readable with a bucket
            # policy, or with S3_DEFAULT_ACL=public-read where the provider supports ACLs.
            "default_acl": env.str("S3_DEFAULT_ACL", default="") or None,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }


def s3_origin(storage: dict) -> str:
    """Where media live on object storage (the CSP allows images and audio from there)."""
    options = storage["OPTIONS"]
    if options.get("custom_domain"):
        return f"https://{options['custom_domain']}"
    if options.get("endpoint_url"):
        parts = urlsplit(options["endpoint_url"])
        return f"{parts.scheme}://{parts.netloc}"
    return f"https://{options['bucket_name']}.s3.amazonaws.com"


# dj-email-url's names → the keyword arguments of Django's email backends.
_MAILER_OPTIONS = {
    "host": "EMAIL_HOST",
    "port": "EMAIL_PORT",
    "username": "EMAIL_HOST_USER",
    "password": "EMAIL_HOST_PASSWORD",
    "use_tls": "EMAIL_USE_TLS",
    "use_ssl": "EMAIL_USE_SSL",
    "timeout": "EMAIL_TIMEOUT",
}


def mailer(email: dict) -> dict:
    """One MAILERS entry from a parsed EMAIL_URL. The console backend becomes ours, which
    prints messages decoded so links in the text part stay whole (core/mail.py)."""
    if email["EMAIL_BACKEND"].endswith("console.EmailBackend"):
        return {"BACKEND": "core.mail.ConsoleEmailBackend", "OPTIONS": {}}
    options = {
        key: email[name]
        for key, name in _MAILER_OPTIONS.items()
        if email.get(name) not in (None, "")
    }
    backend = email["EMAIL_BACKEND"]
    if backend == "django.core.mail.backends.smtp.EmailBackend":
        backend = "core.mail.SigningSMTPBackend"  # Django's, with DKIM when it is on
    return {"BACKEND": backend, "OPTIONS": options}


def logging_config(log_format: str, level: str) -> dict:
    """Logs on standard output: one JSON object per line (`json`) or readable text.

    Every request is logged once by core's RequestLogMiddleware (request id, status,
    duration), so Django's own request logger only keeps errors."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "json": {"()": "core.logging.JsonLineFormatter"},
        },
        # A Host header outside ALLOWED_HOSTS: one warning line, no traceback, no email.
        "filters": {"one_line_warning": {"()": "core.logging.OneLineWarning"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            "django.request": {"level": "ERROR"},
            "axes": {"level": "WARNING"},
            # One INFO line per detector per message: noise, and on the standard output
            # that process_bounce prints its JSON to.
            "flufl.bounce": {"level": "WARNING"},
            "django.security.DisallowedHost": {"filters": ["one_line_warning"]},
            "django.server": {"level": "ERROR" if log_format == "json" else "INFO"},
        },
    }


def dkim_settings(env) -> dict:
    """DKIM signing (core.dkim) from DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (the
    PEM itself) or DKIM_PRIVATE_KEY_FILE; signing is off while DKIM_DOMAIN is empty."""
    return {
        "DOMAIN": env.str("DKIM_DOMAIN", default=""),
        "SELECTOR": env.str("DKIM_SELECTOR", default="blog"),
        # The PEM itself; "\\n" stands for a line break where a variable holds one line.
        "PRIVATE_KEY": env.str("DKIM_PRIVATE_KEY", default="").replace("\\n", "\n"),
        "PRIVATE_KEY_FILE": env.str("DKIM_PRIVATE_KEY_FILE", default=""),
    }


def anymail_settings(environ=None) -> dict:
    """django-anymail's settings for the provider webhooks: ANYMAIL_WEBHOOK_SECRET (the basic
    auth they require) and every other ANYMAIL_<NAME> variable as anymail's <NAME>, so a
    provider's signing key is set the way anymail documents it
    (ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, ANYMAIL_POSTAL_WEBHOOK_KEY, ...)."""
    environ = os.environ if environ is None else environ
    values = {
        name.removeprefix("ANYMAIL_"): value
        for name, value in environ.items()
        if name.startswith("ANYMAIL_") and value
    }
    values["WEBHOOK_SECRET"] = values.get("WEBHOOK_SECRET") or None
    return values


def crawler_policy(env) -> dict:
    """Requests per minute a crawler family may make before 429 (0: no limit), per process;
    search engines are left out of the limit unless CRAWLER_RATE_LIMIT_SEARCH_ENGINES."""
    return {
        "RATE_LIMIT": env.int("CRAWLER_RATE_LIMIT", default=120),
        "LIMIT_SEARCH_ENGINES": env.bool("CRAWLER_RATE_LIMIT_SEARCH_ENGINES", default=False),
    }
