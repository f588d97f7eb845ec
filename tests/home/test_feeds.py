"""Feeds: every feed of the site (composed in home/urls.py) parses strictly and holds only
published items; the site-wide feed mixes posts, releases and issues; every page says which
feeds it has."""

import re

import pytest
from django.urls import reverse

from tests.feed_helpers import FEEDS, SITE, TRICKY_TITLE, parse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", list(FEEDS))
def test_every_feed_parses_strictly_and_holds_only_published_items(client, feed_content, name):
    url = reverse(name, args=FEEDS[name])
    response, feed = parse(client, url)

    assert feed.version == ("atom10" if name.endswith("_atom") else "rss20")
    assert feed.entries, url
    titles = {entry.title for entry in feed.entries}
    for hidden in feed_content["hidden"]:
        assert hidden.title not in titles
        assert hidden.title not in response.content.decode()
    assert feed.feed.link.startswith(SITE)
    assert any(link.get("rel") == "self" and link.href == SITE + url for link in feed.feed.links)
    for entry in feed.entries:
        assert entry.link.startswith(SITE + "/"), entry.link
        assert entry.id.startswith("tag:127.0.0.1,"), entry.id
        assert entry.published_parsed
        if name.endswith("_atom"):
            assert "updated_parsed" in entry
        assert entry.content[0].value, "full content missing"


def test_mixed_feed_has_posts_releases_and_issues_newest_first(client, feed_content):
    _, feed = parse(client, reverse("home:feed"))
    assert [entry.title for entry in feed.entries] == [
        "Warm Start: Issue #7",
        "Project 0 v0.10.0 released".replace("Project 0", "Lambda Router"),
        TRICKY_TITLE,
        "Cold starts, the episode",
    ]


def test_every_page_advertises_its_feeds(client, feed_content):
    pages = {
        "/": ["/feed/", "/feed/atom/", "/feed/posts/", "/feed/podcast/"],
        feed_content["episode"].get_absolute_url(): ["/series/in-production/feed/"],
        "/category/serverless/": ["/category/serverless/feed/", "/category/serverless/feed/atom/"],
        "/series/in-production/": ["/series/in-production/feed/"],
        "/projects/lambda-router/": ["/projects/lambda-router/feed/"],
        "/newsletter/": ["/newsletter/feed/", "/newsletter/feed/atom/"],
        feed_content["issue"].get_absolute_url(): ["/newsletter/feed/"],
        "/archive/": ["/feed/"],
        "/search/?q=cold": ["/feed/"],
    }
    for url, feeds in pages.items():
        html = client.get(url).content.decode()
        for feed in feeds:
            kind = "atom" if feed.endswith("atom/") else "rss"
            pattern = rf'<link rel="alternate" type="application/{kind}\+xml" title="[^"]+" '
            assert re.search(pattern + f'href="{re.escape(SITE + feed)}">', html), (url, feed)
