"""Counting on the server (stats.middleware, stats.recorder): cache hits counted like
misses; bots, prefetches, HEAD and logged-in authors not; 304s apart; one visitor once a
day, unlinkable across days; referrers grouped; feed subscribers read from real
aggregators' user agents; podcast downloads counted once over many Range requests; a
clean shutdown loses nothing; counting can be turned off."""

import datetime
import runpy
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from stats import classify
from stats.models import DailyDownload, DailyFeed, DailyPath, DailyReferrer, DailySketch
from stats.recorder import recorder
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]


def get(client, path, ua=FIREFOX, ip="203.0.113.7", **headers):
    return client.get(path, HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **headers)


def views(path="/"):
    row = DailyPath.objects.filter(path=path).first()
    return (row.views, row.visitors) if row else (0, 0)


@pytest.fixture
def cached(settings, site):
    settings.PAGE_CACHE_SECONDS = 600
    site.email_new_posts = False
    site.save()
    return PostFactory(title="Cold starts", slug="cold-starts")


def test_cache_hits_are_counted_like_misses(client, cached):
    first = get(client, "/")
    second = get(client, "/")
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    recorder.flush()
    assert views("/") == (2, 1)
    assert views("") == (2, 1)  # the whole site


def test_one_visitor_is_counted_once_a_day_across_pages(client, cached):
    get(client, "/")
    get(client, cached.get_absolute_url())
    get(client, "/", ip="198.51.100.9")  # someone else
    get(client, "/", ua=SAFARI)  # the same address, another browser: another visitor
    recorder.flush()
    get(client, "/")  # later the same day, after a flush: still the same visitor
    recorder.flush()
    assert views("/") == (4, 3)
    assert views("") == (5, 3)


def test_bots_prefetches_head_and_the_logged_in_author_are_not_views(client, cached, admin_client):
    get(client, "/", ua="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    get(
        client,
        "/",
        ua="Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    )
    get(client, "/", ua="Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")
    get(client, "/", ua="")
    get(client, "/", HTTP_SEC_PURPOSE="prefetch;prerender")
    get(client, "/", HTTP_PURPOSE="prefetch")
    client.head("/", HTTP_USER_AGENT=FIREFOX)
    admin_client.get("/", HTTP_USER_AGENT=FIREFOX)
    get(client, "/newsletter/subscribe/thanks/")  # not a reader page
    recorder.flush()
    assert views("/") == (0, 0)
    assert not DailyReferrer.objects.exists()


def test_revalidations_are_counted_apart_from_views(client, cached):
    etag = get(client, "/")["ETag"]
    assert get(client, "/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    recorder.flush()
    row = DailyPath.objects.get(path="/")
    assert (row.views, row.revalidations) == (1, 1)


def test_the_daily_salt_makes_two_days_visitors_unlinkable(client, cached):
    today = timezone.localdate()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=1)):
        yesterday = timezone.localdate()
        hash_yesterday = classify.visitor(yesterday, "203.0.113.7", FIREFOX)
        get(client, "/")
        recorder.flush()
        assert DailySketch.objects.filter(day=yesterday).exists()
    hash_today = classify.visitor(today, "203.0.113.7", FIREFOX)
    assert hash_today != hash_yesterday
    assert hash_today == classify.visitor(today, "203.0.113.7", FIREFOX)
    get(client, "/")
    recorder.flush()
    # Yesterday's sketches are gone; only the day's aggregates remain.
    assert not DailySketch.objects.filter(day=yesterday).exists()
    assert DailySketch.objects.filter(day=today).count() == 2  # the page and the site
    assert list(DailyPath.objects.filter(path="/").values_list("visitors", flat=True)) == [1, 1]
    # What is stored of a visitor: registers of small numbers, no hash, no address.
    registers = bytes(DailySketch.objects.get(day=today, key="/").registers)
    assert max(registers) < 64
    assert sum(1 for value in registers if value) == 1
    assert hash_today.to_bytes(8, "big") not in registers


def test_referrers_by_domain_with_this_site_search_engines_and_campaigns(client, cached):
    get(client, "/", HTTP_REFERER="https://www.google.com/")
    get(client, "/", HTTP_REFERER="https://duckduckgo.com/?q=cold+starts")
    get(client, "/", HTTP_REFERER="https://news.ycombinator.com/item?id=1")
    get(client, "/", HTTP_REFERER="http://testserver/blog/")
    get(client, "/?utm_source=newsletter&utm_campaign=issue-7")
    get(client, "/")
    recorder.flush()
    rows = DailyReferrer.objects.values_list("source", "campaign", "views")
    found = {(source, campaign): n for source, campaign, n in rows}
    assert found == {
        ("Search: Google", ""): 1,
        ("Search: DuckDuckGo", ""): 1,
        ("news.ycombinator.com", ""): 1,
        ("This site", ""): 1,
        ("newsletter", "issue-7"): 1,
        ("Direct or unknown", ""): 1,
    }


# User agents as these aggregators send them (their documentation and public logs).
AGENTS = ROOT / "tests" / "fixtures" / "user_agents"
AGGREGATORS = [
    (ua, name, int(count))
    for ua, name, count in (
        line.split("\t") for line in (AGENTS / "aggregators.tsv").read_text().splitlines()
    )
]


@pytest.mark.parametrize(("user_agent", "name", "count"), AGGREGATORS)
def test_feed_subscribers_are_read_from_aggregator_user_agents(user_agent, name, count):
    assert classify.aggregator_subscribers(user_agent) == (name, count)


def test_feed_fetches_count_subscribers_and_distinct_fetchers(client, cached):
    for user_agent, _, _ in AGGREGATORS[:3]:
        get(client, "/feed/", ua=user_agent, ip="192.0.2.1")
    get(client, "/feed/", ua=AGGREGATORS[0][0].replace("1,234", "1,240"), ip="192.0.2.1")
    get(client, "/feed/", ua="Miniflux/2.2 (+https://miniflux.app)", ip="192.0.2.9")
    recorder.flush()
    reported = dict(
        DailyFeed.objects.exclude(aggregator="").values_list("aggregator", "subscribers")
    )
    assert reported == {"Feedly": 1240, "Inoreader": 45, "NewsBlur": 12}  # the day's highest
    assert DailyFeed.objects.get(aggregator="").fetchers == 5
    assert views("/feed/") == (0, 0)  # a feed fetch is not a page view


def test_a_podcast_download_counts_once_over_many_range_requests(client, settings, site, tmp_path):
    settings.SERVE_MEDIA = True
    site.email_new_posts = False
    site.save()
    post = PostFactory(slug="audio-post")
    post.audio.save("episode.mp3", ContentFile(b"\xff\xfb" + b"\x00" * 3_000_000), save=False)
    type(post).objects.filter(pk=post.pk).update(audio=post.audio.name, audio_size=3_000_002,
                                                 audio_duration=180)  # fmt: skip
    url = post.audio.url
    # A player probing, then fetching in pieces: 1 MB makes a minute of this 3 MB, 3 min file.
    for start, end in ((0, 1), (0, 299_999), (300_000, 699_999), (700_000, 1_199_999)):
        response = get(client, url, HTTP_RANGE=f"bytes={start}-{end}")
        assert response.status_code == 206
        b"".join(response.streaming_content)
    get(client, url, ua=SAFARI, HTTP_RANGE="bytes=0-1023")  # another listener: too little
    recorder.flush()
    assert list(DailyDownload.objects.values_list("path", "downloads")) == [(url, 1)]
    get(client, url, HTTP_RANGE="bytes=1200000-2999999")  # more of it, the same day: still one
    recorder.flush()
    assert DailyDownload.objects.get().downloads == 1


def test_a_clean_shutdown_loses_nothing(client, cached):
    for _ in range(25):
        get(client, "/")
    # gunicorn's worker_exit hook (config/gunicorn.conf.py) flushes what was counted.
    hooks = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    hooks["worker_exit"](None, None)
    assert views("/") == (25, 1)
    assert not recorder.window


def test_a_failed_flush_keeps_the_counts_for_the_next(client, cached, monkeypatch):
    get(client, "/")
    from stats import recorder as module

    monkeypatch.setattr(
        module, "write", lambda window: (_ for _ in ()).throw(RuntimeError("db down"))
    )
    recorder.flush()
    monkeypatch.undo()
    recorder.flush()
    assert views("/") == (1, 1)


def test_counting_can_be_turned_off(client, cached, settings):
    settings.STATS_ENABLED = False
    get(client, "/")
    recorder.flush()
    assert not DailyPath.objects.exists()


def test_unique_visitors_are_estimated_closely_at_crawl_sizes(client, cached):
    """The sketch, through the recorder: 5,000 distinct visitors across two flushes (as two
    processes would), one of them seen on every request."""
    from stats import sketch

    day = timezone.localdate()
    for n in range(5000):
        recorder.view(day, "/", classify.visitor(day, f"198.51.{n // 250}.{n % 250}", FIREFOX),
                      ("Direct or unknown", ""))  # fmt: skip
        if n == 2500:
            recorder.flush()
    recorder.flush()
    visitors = DailyPath.objects.get(path="/").visitors
    assert abs(visitors - 5000) < 5000 * 3 * 1.04 / sketch.REGISTERS**0.5  # 3 standard errors


def test_browsers_are_counted_and_bots_are_not_across_a_corpus():
    """Real user agents of browsers and of crawlers, AI crawlers, link unfurlers, monitors
    and HTTP libraries: every bot excluded, no browser."""
    rows = [
        line.split("\t") for line in (AGENTS / "browsers_and_bots.tsv").read_text().splitlines()
    ]
    wrong = [(kind, ua) for kind, ua in rows if classify.is_bot(ua) != (kind == "bot")]
    assert wrong == []
    assert len(rows) > 40
