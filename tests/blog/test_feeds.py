"""The blog's feeds (blog/feeds.py): posts, a category's, a series', and the podcast.
Full content, stable ids, update notes, every tag podcast apps read."""

import datetime
import email.utils

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import etree

from tests.factories import PostUpdateFactory, ago
from tests.feed_helpers import ITUNES, SITE, TRICKY_TITLE, parse, png

pytestmark = pytest.mark.django_db


def test_full_content_is_sanitized_html_with_absolute_links(client, feed_content):
    _, feed = parse(client, reverse("home:posts_feed"))
    entry = next(e for e in feed.entries if e.title == "Cold starts, the episode")
    html = entry.content[0].value
    assert f'href="{SITE}/archive/"' in html
    assert f'src="{SITE}/media/chart.png"' in html
    assert entry.summary.startswith("See the archive")
    # The audio version travels as an enclosure in every post feed, not just the podcast.
    assert entry.enclosures[0].href.startswith(f"{SITE}/media/audio/")


def test_titles_with_quotes_markup_and_unicode_survive_feeds_unchanged(client, feed_content):
    for name in ("home:posts_feed", "home:posts_feed_atom"):
        response, feed = parse(client, reverse(name))
        assert TRICKY_TITLE in [entry.title for entry in feed.entries]
        xml = response.content.decode()
        assert "&amp;amp;" not in xml.split("<item>")[0]  # the channel is not double-escaped
        assert "&lt;b&gt;tags&lt;/b&gt;" in xml  # XML-escaped once, as text


def test_ids_never_change_when_title_slug_or_date_change(client, feed_content):
    post = feed_content["episode"]
    _, before = parse(client, reverse("home:posts_feed_atom"))
    old_id = next(e.id for e in before.entries if e.title == post.title)

    post.title = "A brand new title"
    post.slug = "brand-new-slug"
    post.published_at = ago(days=5)
    post.save()

    _, after = parse(client, reverse("home:posts_feed_atom"))
    entry = next(e for e in after.entries if e.title == "A brand new title")
    assert entry.id == old_id
    assert entry.link == f"{SITE}/posts/brand-new-slug/"


def test_update_notes_move_updated_but_not_published(client, feed_content):
    post = feed_content["episode"]
    note_date = ago(hours=5).replace(microsecond=0)
    PostUpdateFactory(post=post, date=note_date, note="The numbers were measured again.")

    _, feed = parse(client, reverse("home:posts_feed_atom"))
    entry = next(e for e in feed.entries if e.title == post.title)
    published = datetime.datetime(*entry.published_parsed[:6], tzinfo=datetime.UTC)
    updated = datetime.datetime(*entry.updated_parsed[:6], tzinfo=datetime.UTC)
    assert published == post.published_at.replace(microsecond=0)
    assert updated == note_date
    assert "The numbers were measured again." in entry.content[0].value
    # The feed's own updated date is the newest entry's.
    assert datetime.datetime(*feed.feed.updated_parsed[:6], tzinfo=datetime.UTC) >= note_date


def test_category_and_series_feeds_hold_their_own_posts(client, feed_content):
    def titles(name, *args):
        return [entry.title for entry in parse(client, reverse(name, args=args))[1].entries]

    assert titles("home:category_feed", "serverless") == ["Cold starts, the episode"]
    assert titles("home:series_feed", "in-production") == ["Cold starts, the episode"]
    assert client.get(reverse("home:category_feed", args=["nope"])).status_code == 404
    assert client.get(reverse("home:series_feed", args=["nope"])).status_code == 404


def test_podcast_feed_carries_every_tag_podcast_apps_need(client, feed_content, site):
    site.podcast_artwork.save("cover.png", SimpleUploadedFile("cover.png", png(1400)))
    site.podcast_category = "News > Tech News"
    site.podcast_explicit = True
    site.email = "ada@example.com"
    site.save()
    episode = feed_content["episode"]

    response, feed = parse(client, reverse("home:podcast_feed"))
    root = etree.fromstring(response.content)
    channel = root.find("channel")
    ns = {"itunes": ITUNES}

    assert channel.findtext("title") == "Ada Example (audio)"
    assert channel.findtext("description")
    assert channel.findtext("language") == "en-us"
    image = channel.find("itunes:image", ns).get("href")
    assert image.startswith(f"{SITE}/media/podcast/")
    assert image.endswith(".png")
    assert channel.find("image/url").text == image
    category = channel.find("itunes:category", ns)
    assert category.get("text") == "News"
    assert category.find("itunes:category", ns).get("text") == "Tech News"
    assert channel.findtext("itunes:explicit", namespaces=ns) == "true"
    assert channel.findtext("itunes:author", namespaces=ns) == "Ada Example"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=ns) == "ada@example.com"

    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [episode.title]  # audio posts only
    item = items[0]
    enclosure = item.find("enclosure")
    assert enclosure.get("url") == SITE + episode.audio.url
    assert enclosure.get("length") == str(episode.audio_size) != "0"
    assert enclosure.get("type") == "audio/mpeg"
    assert item.findtext("itunes:duration", namespaces=ns) == str(episode.audio_duration)
    guid = item.find("guid")
    assert guid.get("isPermaLink") == "false"
    assert guid.text == f"tag:127.0.0.1,{episode.created_at:%Y-%m-%d}:post/{episode.pk}"
    pub_date = item.findtext("pubDate")
    assert email.utils.parsedate_to_datetime(pub_date) == episode.published_at.replace(
        microsecond=0
    )
    assert pub_date == email.utils.format_datetime(episode.published_at.replace(microsecond=0))
    assert feed.entries[0].enclosures[0].type == "audio/mpeg"


def test_podcast_language_can_differ_from_the_site(client, feed_content, site):
    site.podcast_language = "de-de"
    site.save()
    response = client.get(reverse("home:podcast_feed"))
    assert b"<language>de-de</language>" in response.content
