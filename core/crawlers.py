"""Crawlers by family (their operator) and purpose, from ai-crawler-robots' index of 150
crawlers (its bundled snapshot: no network): what the site settings' crawler policy
offers, what robots.txt names, and how a request's user agent is recognised.

A user agent is matched on a crawler's product token as a whole word ("GPTBot" in
"…; GPTBot/1.2; …"), never as a substring of something longer, so a browser whose string
merely contains similar letters is never taken for a crawler."""

import functools
import re
import threading
from dataclasses import dataclass

import ai_crawler_robots
from crawlerdetect import CrawlerDetect

_detector = CrawlerDetect()
_detector_lock = threading.Lock()


@functools.lru_cache(maxsize=8192)
def is_crawler(user_agent: str) -> bool:
    """Crawlers, link unfurlers, monitors, feed fetchers and HTTP libraries, by
    crawlerdetect's maintained list (JayBizzle's Crawler-Detect); an empty user agent too.
    Remembered: a site sees the same few hundred user agents (175 µs a check otherwise)."""
    if not user_agent.strip():
        return True
    with _detector_lock:  # the detector keeps its last match on itself
        return _detector.is_crawler(user_agent)


# What "AI training crawlers" are: collecting pages to train models, or datasets for it.
TRAINING = ("ai-training", "dataset")
SEARCH = ("search",)


@dataclass(frozen=True)
class Crawler:
    slug: str
    token: str  # what robots.txt names
    agent: str  # what its user agent contains ("" for control tokens with no crawler)
    family: str  # its operator's slug
    operator: str
    category: str
    respects: str  # documented, disputed, own-token-only, …


@functools.cache
def all_crawlers() -> tuple[Crawler, ...]:
    found = []
    for record in ai_crawler_robots.crawlers().values():
        agent = record.get("ua") or ""
        found.append(
            Crawler(
                slug=record["slug"],
                token=record.get("token") or record["slug"],
                agent="" if agent.startswith("(") else agent,
                family=record.get("operator_slug") or record["slug"],
                operator=record.get("operator") or record.get("name") or record["slug"],
                category=record.get("category", ""),
                respects=record.get("respects", ""),
            )
        )
    return tuple(found)


def training_families() -> list[tuple[str, str]]:
    """(family slug, "Operator: Token, Token") for the policy's choices, by operator."""
    families: dict[str, list[Crawler]] = {}
    for crawler in all_crawlers():
        if crawler.category in TRAINING:
            families.setdefault(crawler.family, []).append(crawler)
    return sorted(
        ((slug, f"{found[0].operator}: {', '.join(sorted({c.token for c in found}))}")
         for slug, found in families.items()),
        key=lambda item: item[1].lower(),
    )  # fmt: skip


def refused(families) -> list[Crawler]:
    """The AI training crawlers of the refused families."""
    chosen = set(families or [])
    return [c for c in all_crawlers() if c.category in TRAINING and c.family in chosen]


def _word(agent: str) -> str:
    return rf"(?<![A-Za-z0-9_-]){re.escape(agent)}(?![A-Za-z0-9_])"


@functools.cache
def _matcher(slugs: tuple[str, ...]):
    crawlers = [c for c in all_crawlers() if c.slug in slugs and c.agent]
    if not crawlers:
        return None, {}
    # Longest first, so Googlebot-Image is never read as Googlebot.
    crawlers.sort(key=lambda c: len(c.agent), reverse=True)
    pattern = re.compile("|".join(f"({_word(c.agent)})" for c in crawlers), re.I)
    return pattern, {i + 1: c for i, c in enumerate(crawlers)}


@functools.lru_cache(maxsize=4096)
def _match(user_agent: str, slugs: tuple[str, ...]) -> Crawler | None:
    pattern, by_group = _matcher(slugs)
    if pattern is None:
        return None
    found = pattern.search(user_agent)
    return by_group[found.lastindex] if found else None


@functools.cache
def _all_slugs() -> tuple[str, ...]:
    return tuple(sorted(c.slug for c in all_crawlers()))


def match(user_agent: str, crawlers=None) -> Crawler | None:
    """The crawler (of `crawlers`, default all) this user agent is, or None. Every request
    asks (core.crawler_policy): the answer is remembered per user agent."""
    slugs = _all_slugs() if crawlers is None else tuple(sorted(c.slug for c in crawlers))
    return _match(user_agent, slugs)
