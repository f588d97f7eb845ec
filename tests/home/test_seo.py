"""What search engines and link previews read: sitemap, robots.txt, canonical links, Open
Graph and Twitter tags, JSON-LD, meta descriptions; escaped exactly once."""

import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree
from markupsafe import escape

from core.models import Status
from tests.factories import (
    CategoryFactory,
    IssueFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
    SeriesFactory,
    ago,
)
from tests.feed_helpers import png

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
XSD = Path(__file__).resolve().parents[1] / "fixtures" / "sitemap" / "sitemap.xsd"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TRICKY = "Ünïcödé “quotes” & <b>tags</b> 'single' \"double\""


@pytest.fixture
def content(site):
    category = CategoryFactory(slug="serverless", name="Serverless")
    series = SeriesFactory(slug="prod")
    project = ProjectFactory(slug="router", name="Router")
    return {
        "post": PostFactory(slug="hello", title="Hello", excerpt="The excerpt.",
                            categories=[category], series=series, published_at=ago(days=400)),
        "release": ReleaseFactory(project=project, version="1.0.0", published_at=ago(days=3)),
        "issue": IssueFactory(number=4, published_at=ago(days=2)),
        "draft": PostFactory(slug="draft-post", status=Status.DRAFT, categories=[category]),
        "empty_category": CategoryFactory(slug="nothing-yet"),
    }  # fmt: skip


def sitemap(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return response, etree.fromstring(response.content)


def test_sitemap_validates_against_the_sitemap_0_9_schema(client, content):
    _response, root = sitemap(client)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(root), schema.error_log


def test_sitemap_lists_every_published_page_with_lastmod(client, content):
    _, root = sitemap(client)
    entries = {
        url.findtext(f"{SITEMAP_NS}loc"): url.findtext(f"{SITEMAP_NS}lastmod")
        for url in root.iter(f"{SITEMAP_NS}url")
    }
    post = content["post"]
    year, month = post.published_at.year, post.published_at.month
    expected = [
        "/", "/archive/", "/series/", "/projects/", "/newsletter/",
        "/posts/hello/", f"/archive/{year}/", f"/archive/{year}/{month}/",
        "/category/serverless/", "/series/prod/", "/projects/router/",
        "/projects/router/releases/1.0.0/", "/newsletter/issues/4/",
    ]  # fmt: skip
    assert sorted(entries) == sorted(SITE + path for path in expected)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod) for lastmod in entries.values())
    assert entries[f"{SITE}/posts/hello/"] == f"{post.updated_at:%Y-%m-%d}"


def test_robots_txt_points_at_the_sitemap(client, site):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in text
    assert "Disallow: /preview/" in text
    assert "Disallow: /search/" in text


def test_every_reader_page_has_one_canonical_link(client, content):
    pages = {
        "/": "/",
        "/?page=1": "/",
        "/posts/hello/": "/posts/hello/",
        "/category/serverless/?utm_source=x": "/category/serverless/",
        "/archive/": "/archive/",
        "/series/prod/": "/series/prod/",
        "/projects/router/": "/projects/router/",
        "/projects/router/releases/1.0.0/": "/projects/router/releases/1.0.0/",
        "/newsletter/": "/newsletter/",
        "/newsletter/issues/4/": "/newsletter/issues/4/",
        "/search/?q=hello": "/search/",
    }
    for url, canonical in pages.items():
        html = client.get(url).content.decode()
        links = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
        assert links == [SITE + canonical], url


def test_post_page_has_open_graph_twitter_and_json_ld(client, content, site):
    site.avatar.save("me.png", SimpleUploadedFile("me.png", png(64)))
    site.save()
    post = content["post"]
    post.meta_description = "For search engines."
    post.save()
    html = client.get(post.get_absolute_url()).content.decode()

    meta = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter|article):[^"]+)" '
                           r'content="([^"]*)">', html))  # fmt: skip
    assert meta["og:type"] == "article"
    assert meta["og:title"] == meta["twitter:title"] == "Hello"
    assert meta["og:description"] == "For search engines."
    assert meta["og:url"] == f"{SITE}/posts/hello/"
    assert meta["og:image"].startswith(f"{SITE}/media/site/")  # no cover: the avatar
    assert meta["og:site_name"] == "Ada Example"
    assert meta["twitter:card"] == "summary"
    assert meta["article:section"] == "Serverless"
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta name="description" content="For search engines.">' in html

    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Hello"
    assert data["author"]["@type"] == "Person"
    assert data["author"]["name"] == "Ada Example"
    assert data["author"]["sameAs"] == ["https://github.com/ada-example"]
    assert data["mainEntityOfPage"]["@id"] == f"{SITE}/posts/hello/"
    assert data["datePublished"] == post.published_at.isoformat()
    assert data["isPartOf"]["url"] == f"{SITE}/series/prod/"
    # The only script on the page is that data block, which the CSP does not execute.
    assert re.findall(r"<script[^>]*>", html) == ['<script type="application/ld+json">']


def test_meta_description_falls_back_to_the_excerpt(client, content):
    html = client.get("/posts/hello/").content.decode()
    assert '<meta name="description" content="The excerpt.">' in html
    assert '<meta property="og:description" content="The excerpt.">' in html


def test_a_cover_image_makes_a_large_twitter_card(client, content):
    post = content["post"]
    post.cover_image = SimpleUploadedFile("cover.png", png(800), "image/png")
    post.cover_alt = "A chart"
    post.save()
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta property="og:image" content="{SITE}/media/covers/' in html
    assert '<meta property="og:image:alt" content="A chart">' in html


def test_tricky_titles_are_escaped_exactly_once_everywhere(client, site):
    long_word = "Supercalifragilistic" * 6  # 120 characters, no break opportunity
    post = PostFactory(title=TRICKY + " " + long_word, excerpt=TRICKY, slug="tricky")
    html = client.get(post.get_absolute_url()).content.decode()
    escaped = str(escape(TRICKY))  # &amp; &lt; &gt; &#34; &#39; (Jinja2's markupsafe)
    assert f"<title>{escaped} {long_word} · Ada Example</title>" in html
    assert f"<h1>{escaped} {long_word}</h1>" in html
    assert f'<meta name="description" content="{escaped}">' in html
    assert f'<meta property="og:title" content="{escaped} {long_word}">' in html
    assert "&amp;amp;" not in html
    assert "&amp;lt;" not in html
    assert "&amp;#39;" not in html
    assert "<b>tags</b>" not in html
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["headline"] == f"{TRICKY} {long_word}"
    assert "\\u003Cb\\u003E" in html  # no "<b>" inside the script element
    for url in ("/", "/archive/", "/search/?q=quotes"):
        page = client.get(url).content.decode()
        assert "&lt;b&gt;tags&lt;/b&gt;" in page, url
        assert "<b>tags</b>" not in page, url
        assert "&amp;amp;" not in page, url
        assert "&amp;lt;" not in page, url


def test_long_words_wrap_instead_of_overflowing():
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "site.css").read_text()
    assert re.search(r"h1, h2, h3, \.card-title[^{]*\{ overflow-wrap: anywhere; \}", css)


def test_drafts_previewed_by_staff_carry_noindex(admin_client, content):
    from core.previews import preview_path

    html = admin_client.get(preview_path(content["draft"])).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    public = admin_client.get("/posts/hello/").content.decode()
    assert 'name="robots"' not in public
