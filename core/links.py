"""Absolute URLs for feeds, sitemaps, share links and social tags, all built from SITE_URL."""

import functools
import re
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=50_000)
def _reverse(prefix, urlconf, name, args, kwargs):
    return reverse(name, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)


def reverse_url(name: str, *args, **kwargs) -> str:
    """`reverse(name, args, kwargs)`, remembered: an object's address is a function of the
    URL configuration and its arguments only, and lists print the same few hundred addresses
    over and over (each reverse() costs about 25 µs; a page of cards needs dozens)."""
    kwargs = tuple(sorted(kwargs.items()))
    return _reverse(get_script_prefix(), get_urlconf(), name, args, kwargs)


@receiver(setting_changed)
def _forget_urls(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()


def absolute_url(url: str) -> str:
    """A site-relative URL or path made absolute with SITE_URL; absolute URLs (a CDN's, say)
    are returned unchanged."""
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return f"{urlsplit(settings.SITE_URL).scheme}:{url}"
    return settings.SITE_URL + (url if url.startswith("/") else f"/{url}")


def site_host() -> str:
    """The host name of SITE_URL, without port."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


# Attributes that hold one URL, as written by the sanitizer (always double-quoted).
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|poster)=")([^"]*)(")')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)(")')


def absolutize_html(html: str, base_url: str) -> str:
    """Make every link and image address in sanitized HTML absolute, resolved against
    `base_url` (the page the HTML belongs to), so it works inside feed readers and emails."""

    def one(match):
        value = match.group(2)
        if value.startswith(("http://", "https://", "mailto:")):
            return match.group(0)
        return f"{match.group(1)}{urljoin(base_url, value)}{match.group(3)}"

    def srcset(match):
        candidates = []
        for candidate in match.group(2).split(","):
            parts = candidate.strip().split(maxsplit=1)
            if parts:
                parts[0] = urljoin(base_url, parts[0])
                candidates.append(" ".join(parts))
        return f"{match.group(1)}{', '.join(candidates)}{match.group(3)}"

    return _SRCSET.sub(srcset, _URL_ATTRIBUTE.sub(one, html))
