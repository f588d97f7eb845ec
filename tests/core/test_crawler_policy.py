"""The crawler policy (core.crawler_policy, home.views.robots_txt): robots.txt follows the
site settings; a refused AI training crawler gets 403 when the author says so, a browser
with a similar string never; every crawler family is rate limited (429 with Retry-After)
while readers' browsers and feed readers never are, and search engines only when told.
Crawler traffic shows in the statistics."""

import pytest

from core import crawler_policy
from stats.models import DailyCrawler
from stats.recorder import recorder
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

GPTBOT = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"
CCBOT = "CCBot/2.0 (https://commoncrawl.org/faq/)"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
AHREFS = "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
# A browser whose string has the letters of a crawler's name in a longer word.
LOOKALIKE = FIREFOX + " GPTBotanist/1.0 CCBotany"
FEEDLY = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 12 subscribers; )"


@pytest.fixture(autouse=True)
def _fresh_limits():
    crawler_policy.limiter.windows.clear()
    yield
    crawler_policy.limiter.windows.clear()


@pytest.fixture
def refusing(site):
    site.ai_crawlers_refused = ["openai", "commoncrawl"]
    site.email_new_posts = False
    site.save()
    return site


def get(client, path, ua):
    return client.get(path, HTTP_USER_AGENT=ua)


def test_robots_txt_follows_the_settings(client, site):
    default = client.get("/robots.txt").content.decode()
    assert "GPTBot" not in default
    assert default.startswith("User-agent: *")
    site.ai_crawlers_refused = ["openai", "commoncrawl", "google"]
    site.save()
    text = client.get("/robots.txt").content.decode()
    head, rest = text.split("\n\n", 1)
    assert "User-agent: GPTBot" in head
    assert "User-agent: CCBot" in head
    assert "User-agent: Google-Extended" in head  # Google's training token …
    assert "User-agent: Googlebot\n" not in text  # … never its search engine
    assert head.endswith("Disallow: /")
    assert rest.startswith("User-agent: *")


def test_the_site_settings_offer_families_from_the_index(admin_client, site):
    html = admin_client.get("/admin/core/sitesettings/").content.decode()
    assert "OpenAI: GPTBot" in html
    assert "Common Crawl: CCBot" in html
    assert "Anthropic: ClaudeBot, anthropic-ai" in html


def test_a_refused_crawler_gets_403_only_when_the_author_enforces_it(client, refusing):
    assert get(client, "/", GPTBOT).status_code == 200  # robots.txt only: asked, not forced
    refusing.ai_crawlers_enforce = True
    refusing.save()
    refused = get(client, "/", GPTBOT)
    assert refused.status_code == 403
    assert "GPTBot may not crawl" in refused.content.decode()
    assert get(client, "/", CCBOT).status_code == 403
    assert get(client, "/robots.txt", GPTBOT).status_code == 200  # it may read why
    assert get(client, "/", LOOKALIKE).status_code == 200
    assert get(client, "/", GOOGLEBOT).status_code == 200
    assert get(client, "/", FIREFOX).status_code == 200


def test_crawler_families_are_rate_limited_and_readers_never(client, site, settings):
    settings.CRAWLER_POLICY = {"RATE_LIMIT": 3, "LIMIT_SEARCH_ENGINES": False}
    PostFactory(slug="p")
    codes = [get(client, "/", AHREFS).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = get(client, "/", AHREFS)
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert get(client, "/", GPTBOT).status_code == 200  # another family: its own window
    assert {get(client, "/", FIREFOX).status_code for _ in range(20)} == {200}
    assert {get(client, "/feed/", FEEDLY).status_code for _ in range(20)} == {200}
    assert {get(client, "/", GOOGLEBOT).status_code for _ in range(10)} == {200}
    settings.CRAWLER_POLICY = {"RATE_LIMIT": 3, "LIMIT_SEARCH_ENGINES": True}
    assert [get(client, "/", GOOGLEBOT).status_code for _ in range(4)][-1] == 429


def test_crawler_traffic_shows_in_the_statistics(client, refusing, settings):
    refusing.ai_crawlers_enforce = True
    refusing.save()
    settings.CRAWLER_POLICY = {"RATE_LIMIT": 2, "LIMIT_SEARCH_ENGINES": False}
    get(client, "/", GPTBOT)
    for _ in range(3):
        get(client, "/", AHREFS)
    get(client, "/", GOOGLEBOT)
    recorder.flush()
    found = {
        row.family: (row.served, row.refused, row.limited) for row in DailyCrawler.objects.all()
    }
    assert found == {"OpenAI": (0, 1, 0), "Ahrefs": (2, 0, 1), "Google": (1, 0, 0)}
