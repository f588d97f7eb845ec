"""Feeds: RSS 2.0 and Atom for everything, posts, categories, series, projects and the
newsletter, plus the podcast feed. Strict parse, full content, stable ids, only published."""

import datetime
import email.utils
import io
import re

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from PIL import Image

from core.models import Status
from tests.blog.test_audio import MP3
from tests.factories import (
    CategoryFactory,
    IssueFactory,
    PostFactory,
    PostUpdateFactory,
    ProjectFactory,
    ReleaseFactory,
    SeriesFactory,
    ago,
)

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
TRICKY_TITLE = "Ünïcödé “quotes” & <b>tags</b> 'n' \"dq\" — 日本語"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def png(size: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def content(site):
    category = CategoryFactory(slug="serverless", name="Serverless")
    other = CategoryFactory(slug="databases", name="Databases")
    series = SeriesFactory(slug="in-production", title="In production")
    project = ProjectFactory(slug="lambda-router", name="Lambda Router")
    future = timezone.now() + datetime.timedelta(days=3)
    with MP3.open("rb") as audio:
        episode = PostFactory(
            title="Cold starts, the episode",
            slug="cold-starts",
            body='See [the archive](/archive/) and ![a chart](/media/chart.png "Chart").\n',
            audio=SimpleUploadedFile("episode.mp3", audio.read(), "audio/mpeg"),
            published_at=ago(days=4),
            categories=[category],
            series=series,
            series_part=1,
        )
    objects = {
        "episode": episode,
        "tricky": PostFactory(
            title=TRICKY_TITLE, slug="tricky", published_at=ago(days=3), categories=[other]
        ),
        "release": ReleaseFactory(project=project, version="0.10.0", published_at=ago(days=2)),
        "issue": IssueFactory(number=7, subtitle="On retries", published_at=ago(days=1)),
        "hidden": [
            PostFactory(title="Draft post", status=Status.DRAFT, categories=[category],
                        series=series),
            PostFactory(title="Scheduled post", published_at=future, categories=[category]),
            ReleaseFactory(project=project, version="9.0.0", title="Draft release",
                           status=Status.DRAFT),
            IssueFactory(number=90, title="Scheduled issue", published_at=future),
        ],
    }  # fmt: skip
    return objects


FEEDS = {
    "home:feed": [],
    "home:feed_atom": [],
    "home:posts_feed": [],
    "home:posts_feed_atom": [],
    "home:podcast_feed": [],
    "home:category_feed": ["serverless"],
    "home:category_feed_atom": ["serverless"],
    "home:series_feed": ["in-production"],
    "home:series_feed_atom": ["in-production"],
    "home:project_feed": ["lambda-router"],
    "home:project_feed_atom": ["lambda-router"],
    "home:newsletter_feed": [],
    "home:newsletter_feed_atom": [],
}


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    return response, parsed


@pytest.mark.parametrize("name", list(FEEDS))
def test_every_feed_parses_strictly_and_holds_only_published_items(client, content, name):
    url = reverse(name, args=FEEDS[name])
    response, feed = parse(client, url)

    assert feed.version == ("atom10" if name.endswith("_atom") else "rss20")
    assert feed.entries, url
    titles = {entry.title for entry in feed.entries}
    for hidden in content["hidden"]:
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


def test_mixed_feed_has_posts_releases_and_issues_newest_first(client, content):
    _, feed = parse(client, reverse("home:feed"))
    assert [entry.title for entry in feed.entries] == [
        "Warm Start: Issue #7",
        "Project 0 v0.10.0 released".replace("Project 0", "Lambda Router"),
        TRICKY_TITLE,
        "Cold starts, the episode",
    ]


def test_full_content_is_sanitized_html_with_absolute_links(client, content):
    _, feed = parse(client, reverse("home:posts_feed"))
    entry = next(e for e in feed.entries if e.title == "Cold starts, the episode")
    html = entry.content[0].value
    assert f'href="{SITE}/archive/"' in html
    assert f'src="{SITE}/media/chart.png"' in html
    assert entry.summary.startswith("See the archive")
    # The audio version travels as an enclosure in every post feed, not just the podcast.
    assert entry.enclosures[0].href.startswith(f"{SITE}/media/audio/")


def test_titles_with_quotes_markup_and_unicode_survive_feeds_unchanged(client, content):
    for name in ("home:posts_feed", "home:posts_feed_atom"):
        response, feed = parse(client, reverse(name))
        assert TRICKY_TITLE in [entry.title for entry in feed.entries]
        xml = response.content.decode()
        assert "&amp;amp;" not in xml.split("<item>")[0]  # the channel is not double-escaped
        assert "&lt;b&gt;tags&lt;/b&gt;" in xml  # XML-escaped once, as text


def test_ids_never_change_when_title_slug_or_date_change(client, content):
    post = content["episode"]
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


def test_update_notes_move_updated_but_not_published(client, content):
    post = content["episode"]
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


def test_category_series_project_and_newsletter_feeds_hold_their_own_items(client, content):
    def titles(name, *args):
        return [entry.title for entry in parse(client, reverse(name, args=args))[1].entries]

    assert titles("home:category_feed", "serverless") == ["Cold starts, the episode"]
    assert titles("home:series_feed", "in-production") == ["Cold starts, the episode"]
    assert titles("home:project_feed", "lambda-router") == ["Lambda Router v0.10.0 released"]
    assert titles("home:newsletter_feed") == ["Warm Start: Issue #7"]
    assert client.get(reverse("home:category_feed", args=["nope"])).status_code == 404
    assert client.get(reverse("home:series_feed", args=["nope"])).status_code == 404
    assert client.get(reverse("home:project_feed", args=["nope"])).status_code == 404


def test_podcast_feed_carries_every_tag_podcast_apps_need(client, content, site):
    site.podcast_artwork.save("cover.png", SimpleUploadedFile("cover.png", png(1400)))
    site.podcast_category = "News > Tech News"
    site.podcast_explicit = True
    site.email = "ada@example.com"
    site.save()
    episode = content["episode"]

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


def test_podcast_language_can_differ_from_the_site(client, content, site):
    site.podcast_language = "de-de"
    site.save()
    response = client.get(reverse("home:podcast_feed"))
    assert b"<language>de-de</language>" in response.content


def test_every_page_advertises_its_feeds(client, content):
    pages = {
        "/": ["/feed/", "/feed/atom/", "/feed/posts/", "/feed/podcast/"],
        content["episode"].get_absolute_url(): ["/series/in-production/feed/"],
        "/category/serverless/": ["/category/serverless/feed/", "/category/serverless/feed/atom/"],
        "/series/in-production/": ["/series/in-production/feed/"],
        "/projects/lambda-router/": ["/projects/lambda-router/feed/"],
        "/newsletter/": ["/newsletter/feed/", "/newsletter/feed/atom/"],
        content["issue"].get_absolute_url(): ["/newsletter/feed/"],
        "/archive/": ["/feed/"],
        "/search/?q=cold": ["/feed/"],
    }
    for url, feeds in pages.items():
        html = client.get(url).content.decode()
        for feed in feeds:
            kind = "atom" if feed.endswith("atom/") else "rss"
            pattern = rf'<link rel="alternate" type="application/{kind}\+xml" title="[^"]+" '
            assert re.search(pattern + f'href="{re.escape(SITE + feed)}">', html), (url, feed)
