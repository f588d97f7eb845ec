"""Feeds opened in a browser: an XSLT stylesheet shows a page about the feed, while feed
readers and validators still get plain RSS 2.0 and Atom 1.0 (core/feeds.py)."""

import feedparser
import lxml.html
import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from lxml import etree

from tests.feed_helpers import FEEDS, SITE, TRICKY_TITLE

pytestmark = pytest.mark.django_db

XSL = finders.find("feeds/feed.xsl")
PROLOGUE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<?xml-stylesheet href="/static/feeds/feed.xsl" media="screen" type="text/xsl"?>'
    '<?page-stylesheet href="/static/css/site.css"?>'
)


def as_browser_page(xml: bytes) -> lxml.html.HtmlElement:
    """The feed through the stylesheet, with libxslt (the engine Chromium uses)."""
    transform = etree.XSLT(etree.parse(XSL))
    result = transform(etree.fromstring(xml))
    return lxml.html.fromstring(str(result))


@pytest.mark.parametrize("name", list(FEEDS))
def test_every_feed_names_the_stylesheet_and_still_parses(client, feed_content, name):
    response = client.get(reverse(name, args=FEEDS[name]))
    assert response.content.decode().startswith(PROLOGUE)
    # Browsers apply XSLT to XML media types only; feed readers read the document.
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert "style-src 'self'" in response["Content-Security-Policy"]
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == ("atom10" if name.endswith("_atom") else "rss20")
    assert parsed.entries

    page = as_browser_page(response.content)
    assert page.xpath("string(//h1)") == (
        "This is a feed: follow it to get new items as they come out"
    )
    url = SITE + reverse(name, args=FEEDS[name])
    assert page.xpath("string(//p[@class='feed-address']/code)") == url
    assert page.xpath("//link[@rel='stylesheet']/@href") == ["/static/css/site.css"]
    assert not page.xpath("//script | //style | //*[@style]")  # nothing the CSP would block
    items = page.xpath("//article[@class='card']//a")
    assert [a.text_content() for a in items] == [entry.title for entry in parsed.entries]
    assert all(a.get("href").startswith(SITE + "/") for a in items)


def test_the_page_explains_how_to_subscribe_and_reads_escaped_text_right(client, feed_content):
    page = as_browser_page(client.get(reverse("home:feed")).content)
    text = page.text_content()
    assert "Copy this address into your reader to subscribe" in text
    assert page.xpath("//html/@lang") == ["en"]
    assert TRICKY_TITLE in [a.text_content() for a in page.xpath("//article//a")]
    assert "&amp;" not in text
    assert "&lt;" not in text

    podcast = as_browser_page(client.get(reverse("home:podcast_feed")).content)
    assert "Podcast feed" in podcast.text_content()
    assert "Follow a Show by URL" in podcast.text_content()
    atom = as_browser_page(client.get(reverse("home:feed_atom")).content)
    assert "Atom feed" in atom.text_content()


def test_feeds_keep_their_etag_and_revalidate(client, feed_content):
    first = client.get(reverse("home:feed"))
    again = client.get(reverse("home:feed"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_stylesheet_is_served_as_xsl(client, settings):
    # As whitenoise serves it in production (a browser ignores a stylesheet sent as
    # application/octet-stream, whitenoise's answer for names it does not know).
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/feeds/feed.xsl")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xsl")
