"""The official WordPress theme test data imports whole: one test per file, since each
import takes a second or two (see tests/fixtures/wordpress/README.md)."""

import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from django.contrib.redirects.models import Redirect

from blog.models import Category, Post
from core.markdown import plain_text
from core.models import Status
from tests.wordpress.conftest import FIXTURES
from wordpress.models import ImportedItem
from wordpress.wxr import WxrReader

pytestmark = pytest.mark.django_db

THEME_UNIT = FIXTURES / "themeunittestdata.wordpress.xml"
BLOCKS = FIXTURES / "64-block-test-data.xml"


def snapshot():
    """Every imported row, for comparing two imports."""
    posts = [
        (*values, tuple(sorted(Post.objects.get(pk=values[0]).categories.values_list("slug"))))
        for values in Post.objects.order_by("pk").values_list(
            "pk", "title", "slug", "body", "body_html", "excerpt", "status", "published_at",
            "featured", "updated_at",
        )
    ]  # fmt: skip
    return {
        "posts": posts,
        "categories": list(Category.objects.order_by("pk").values_list()),
        "redirects": list(Redirect.objects.order_by("pk").values_list()),
        "items": list(ImportedItem.objects.order_by("pk").values_list()),
    }


def raw_items(path):
    return {i.post_id: i for i in WxrReader(path).iter_items() if i.post_type in ("post", "page")}


def test_theme_unit_test_export(run_import, client, site):
    report = run_import(THEME_UNIT)

    # Counts per type and outcome, and per state.
    assert report.items == {
        "post": {"created": 58},
        "page": {"skipped": 21},
        "attachment": {"skipped": 37},
        "nav_menu_item": {"skipped": 70},
    }
    assert report.statuses == {"published": 55, "scheduled": 1, "draft": 2}
    assert report.comments == 33
    assert Post.objects.count() == ImportedItem.objects.count() == 58
    assert report.warning_kinds["error"] == 0

    posts = {p.slug: p for p in Post.objects.prefetch_related("categories")}
    assert posts["scheduled"].is_scheduled
    assert posts["template-password-protected"].status == Status.DRAFT
    assert posts["draft"].status == Status.DRAFT
    assert [p.slug for p in posts.values() if p.featured] == ["template-sticky"]

    # The title with HTML reads as its words, no literal tags; special characters and
    # unicode intact.
    markup = posts["markup-title-with-markup"]
    assert markup.title == "Markup: Title With Markup"
    html = client.get(markup.get_absolute_url()).content.decode()
    assert "<h1>Markup: Title With Markup</h1>" in html
    assert "&lt;em&gt;" not in html
    assert posts["title-with-special-characters"].title == (
        "Markup: Title With Special Characters ~`!@#$%^&*()-_=+{}[]/\\;:'\"?,.>"
    )
    assert Category.objects.filter(name="content περιεχόμενο").exists()

    # Every [caption] became a figure with its caption.
    raw = raw_items(THEME_UNIT)
    imported = {i.object_id: i for i in ImportedItem.objects.all()}
    captions = 0
    for post in posts.values():
        wanted = raw[imported[post.pk].wp_id].content.count("[caption")
        captions += wanted
        assert "[caption" not in post.body
        assert post.body_html.count("<figcaption>") >= wanted, post.slug
        assert len(re.findall(r"<figure>\s*(<a [^>]+>)?<img ", post.body_html)) >= wanted
    assert captions == 7

    # <!--more--> gave the excerpt; the [audio]/enclosure post kept its player.
    assert posts["template-more-tag"].excerpt.startswith("This content is before the more tag.")
    assert "St. Louis Blues" in posts["post-format-audio"].body

    # Every published post renders, and its old permalink leads to it.
    published = Post.objects.published()
    assert published.count() == 55
    for post in published:
        assert client.get(post.get_absolute_url()).status_code == 200, post.slug
        old = ImportedItem.objects.get(object_id=post.pk).old_path
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == post.get_absolute_url()
    assert client.get("/").status_code == 200

    # A second import gives identical content and no new rows.
    before = snapshot()
    again = run_import(THEME_UNIT)
    assert again.items["post"] == {"unchanged": 58}
    assert snapshot() == before

    # With pages as drafts, the pages come in too, unicode titles and captions intact.
    with_pages = run_import(THEME_UNIT, pages="draft")
    assert with_pages.items["page"] == {"created": 21}
    assert with_pages.items["post"] == {"unchanged": 58}
    greek = Post.objects.get(title="Επίπεδο 2 -Second Greek level")
    assert (greek.slug, greek.status) == ("2-second-greek-level", Status.DRAFT)
    assert Post.objects.filter(title="Ελληνικά-Greek").exists()
    page = Post.objects.get(slug="page-image-alignment")
    assert page.body_html.count("<figcaption>") == 5


def test_block_editor_export(run_import, client, site):
    report = run_import(BLOCKS)
    assert report.items == {
        "post": {"created": 61},
        "page": {"skipped": 1},
        "attachment": {"skipped": 9},
        "wp_navigation": {"skipped": 1},
    }
    assert report.warning_kinds["error"] == 0
    raw = raw_items(BLOCKS)
    imported = {i.object_id: i.wp_id for i in ImportedItem.objects.all()}
    posts = list(Post.objects.all())
    assert len(posts) == 61

    # Block comments are gone, their content is kept.
    missing = Counter()
    for post in posts:
        assert "<!--" not in post.body
        assert "wp:" not in post.body
        text = " ".join(plain_text(post.body).split())
        soup = BeautifulSoup(raw[imported[post.pk]].content, "html.parser")
        for note in soup.select("sup.fn"):  # footnote numbers: now Markdown footnotes
            note.decompose()
        for paragraph in soup.find_all("p"):
            words = " ".join(paragraph.get_text(" ").split())
            if words and words.replace(" ", "") not in text.replace(" ", ""):
                missing[post.slug] += 1
    assert missing == Counter()

    # The two posts that share the slug "footnotes" are both there.
    footnotes = {imported[p.pk]: p for p in posts if p.slug.startswith("footnotes")}
    assert {wp_id: p.slug for wp_id, p in footnotes.items()} == {
        75: "footnotes",
        76: "footnotes-2",
    }
    assert report.warning_kinds["duplicate slug"] == 1
    assert "[^1]: A note" in footnotes[75].body
    assert client.get("/footnotes/")["Location"] == "/posts/footnotes/"
    assert client.get("/classic/")["Location"] == "/posts/footnotes-2/"

    # Double-escaped entities in titles are decoded once.
    assert Post.objects.filter(title="Media & Text").exists()
    assert not Post.objects.filter(title__contains="&amp;").exists()

    for post in Post.objects.published():
        assert client.get(post.get_absolute_url()).status_code == 200, post.slug

    before = snapshot()
    again = run_import(BLOCKS)
    assert again.items["post"] == {"unchanged": 61}
    assert snapshot() == before
