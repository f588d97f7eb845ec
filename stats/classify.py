"""Who a request is, as far as counting goes, without keeping anything that identifies
them: a bot or a person (crawlerdetect's maintained list), a prefetch, a feed aggregator
reporting its subscribers, where it came from, and a salted hash standing for the visitor
today."""

import hashlib
import re
import secrets
import threading
import time
from datetime import date
from urllib.parse import urlsplit

from django.core.cache import cache
from django.utils import timezone

from core import crawlers


def is_bot(user_agent: str) -> bool:
    """Crawlers, link unfurlers, monitors and feed fetchers, and requests without a user
    agent (core.crawlers: crawlerdetect's maintained list)."""
    return crawlers.is_crawler(user_agent)


def crawler_family(user_agent: str) -> str:
    """The crawler's operator (core.crawlers' index), or "other crawlers"."""
    known = crawlers.match(user_agent)
    return known.operator[:100] if known else "other crawlers"


def is_prefetch(headers) -> bool:
    """Speculative loads the reader may never look at: Chrome's and Safari's prefetch and
    prerender (Sec-Purpose, Purpose), Firefox's (X-Moz), link previews (X-Purpose)."""
    purpose = (headers.get("Sec-Purpose", "") + headers.get("Purpose", "")).lower()
    return (
        "prefetch" in purpose
        or "prerender" in purpose
        or headers.get("X-Moz", "").lower() == "prefetch"
        or headers.get("X-Purpose", "").lower() in ("preview", "prefetch")
    )


# "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 123 subscribers; )",
# "NewsBlur Feed Fetcher - 12 subscribers - https://…", "Inoreader/1.0 (…; 45 subscribers; )"
_SUBSCRIBERS = re.compile(r"(\d[\d,]*)\s+(?:subscribers?|readers?)\b", re.I)
_NAME = re.compile(r"^\s*([A-Za-z][\w.\-]*)")


def aggregator_subscribers(user_agent: str) -> tuple[str, int] | None:
    """The aggregator's name and the subscriber count it reports, if it reports one."""
    found = _SUBSCRIBERS.search(user_agent)
    if not found:
        return None
    name = _NAME.match(user_agent)
    label = name.group(1).split("/")[0] if name else "Other"
    if label.lower() == "mozilla":  # "Mozilla/5.0 (compatible; Feedbin …)": the next name
        inner = re.search(r"compatible;\s*([A-Za-z][\w.\-]*)", user_agent)
        label = inner.group(1).split("/")[0] if inner else "Other"
    return label[:100], int(found.group(1).replace(",", ""))


SEARCH_ENGINES = {
    "google.": "Google",
    "bing.com": "Bing",
    "duckduckgo.com": "DuckDuckGo",
    "search.yahoo.": "Yahoo",
    "yandex.": "Yandex",
    "baidu.com": "Baidu",
    "ecosia.org": "Ecosia",
    "search.brave.com": "Brave",
    "startpage.com": "Startpage",
    "kagi.com": "Kagi",
    "qwant.com": "Qwant",
}
THIS_SITE = "This site"
DIRECT = "Direct or unknown"


def referrer(referer: str, query, site_host: str) -> tuple[str, str]:
    """(source, campaign): utm_source and utm_campaign when the link says, else the
    referring domain, with this site's own pages and the search engines grouped."""
    source = (query.get("utm_source") or "").strip()[:200]
    campaign = (query.get("utm_campaign") or "").strip()[:200]
    if source:
        return source, campaign
    host = (urlsplit(referer).hostname or "").lower() if referer else ""
    if not host:
        return DIRECT, campaign
    if host == site_host or host.endswith("." + site_host):
        return THIS_SITE, campaign
    for mark, name in SEARCH_ENGINES.items():
        if mark in host:
            return f"Search: {name}", campaign
    return host.removeprefix("www.")[:200], campaign


_today: tuple[int, date | None] = (-1, None)


def today() -> date:
    """The site's local date, worked out once per second of the clock
    (timezone.localdate() costs more than the rest of counting a request)."""
    global _today
    second = int(time.time())
    if second != _today[0]:
        _today = (second, timezone.localdate())
    return _today[1]


_salts: dict[date, bytes] = {}
_salts_lock = threading.Lock()


def daily_salt(day: date) -> bytes:
    """A random salt for `day`, the same in every process (kept in the cache for two days,
    never in the database): yesterday's hashes cannot be made again today."""
    salt = _salts.get(day)
    if salt is None:
        key = f"stats:salt:{day.isoformat()}"
        cache.add(key, secrets.token_hex(16), timeout=2 * 24 * 3600)
        value = cache.get(key) or secrets.token_hex(16)
        with _salts_lock:
            _salts.clear()  # only today's is ever needed
            salt = _salts.setdefault(day, value.encode())
    return salt


def visitor(day: date, address: str, user_agent: str) -> int:
    """64 bits of BLAKE2b over address and user agent, keyed with the day's salt."""
    digest = hashlib.blake2b(digest_size=8, key=daily_salt(day)[:64])
    digest.update(f"{address}\x00{user_agent}".encode())
    return int.from_bytes(digest.digest(), "big")
