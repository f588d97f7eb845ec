"""Counting reader requests on the server, for page-cache hits and misses alike (it sits
outside the page cache): no JavaScript, no cookie, nothing stored that identifies anyone.

What counts (stats.recorder keeps it in memory until the next flush):
- a **view**: a GET of a reader page answered 200, from a browser: not a bot (crawlerdetect),
  not a prefetch or prerender, not a logged-in author (session cookie);
- a **revalidation**: the same answered 304 (a browser checking its copy), counted apart;
- HEAD requests are not counted at all;
- a **feed fetch**: any GET of a feed (200 or 304), bots included (feed readers are bots),
  with the subscriber count an aggregator reports in its user agent;
- an **audio fetch**: bytes of a post's audio file sent (200 or 206), for downloads.
"""

import logging
import re

from django.conf import settings

from core.http import client_ip
from core.pagecache import is_reader_path
from core.warming import META_FLAG as WARMING
from stats import classify
from stats.recorder import recorder

logger = logging.getLogger(__name__)
OUTCOMES = {403: "refused", 429: "limited"}  # what the crawler policy answered
FEED = re.compile(r"(^|/)feed/")
AUDIO = re.compile(r"\.(mp3|m4a|ogg|oga|opus|aac|wav)$", re.I)


class StatsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.media = settings.MEDIA_URL
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.host = ""

    def __call__(self, request):
        # Read before the page cache drops the parameters the page does not use.
        query = request.GET.copy() if "utm_" in request.META.get("QUERY_STRING", "") else {}
        response = self.get_response(request)
        if settings.STATS_ENABLED and request.method == "GET" and WARMING not in request.META:
            try:
                self.count(request, response, query)
            except Exception:  # counting must never break a page
                logger.exception("Counting a request failed")
        return response

    def count(self, request, response, query):
        status = response.status_code
        path = request.path_info
        if status not in (200, 206, 304, 403, 429):
            return
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:500]
        day = classify.today()
        if path.startswith(self.media):
            if (
                status in (200, 206)
                and AUDIO.search(path)
                and not classify.is_prefetch(request.headers)
            ):
                sent = int(response.get("Content-Length") or 0)
                who = classify.visitor(day, client_ip(request), user_agent)
                recorder.audio(day, path, who, sent)
            return
        if FEED.search(path) and status in (200, 304):
            who = classify.visitor(day, client_ip(request), user_agent)
            recorder.feed_fetch(day, path, who, classify.aggregator_subscribers(user_agent))
            return
        if status == 206 or self.session_cookie in request.COOKIES:
            return
        if not is_reader_path(path):
            return
        if classify.is_bot(user_agent):
            if user_agent.strip():  # scripts and probes without a user agent: no family
                family = classify.crawler_family(user_agent)
                recorder.crawler(day, family, OUTCOMES.get(status, "served"))
            return
        if status in (403, 429) or classify.is_prefetch(request.headers):
            return
        if status == 304:
            recorder.revalidation(day, path[:300])
            return
        if not self.host:
            self.host = request.get_host().split(":")[0].lower()
        source = classify.referrer(request.headers.get("Referer", ""), query, self.host)
        who = classify.visitor(day, client_ip(request), user_agent)
        recorder.view(day, path[:300], who, source)
