"""What each WordPress item becomes: a post's fields, its status and date, pages and other
types, categories and tags, titles and slugs, the excerpt; one rule at a time, on small
exports written for each rule."""

import datetime

import pytest
from django.utils import timezone

from blog.models import Category, Post
from core.models import Status
from tests.factories import CategoryFactory, PostFactory
from tests.wordpress.wxr import attachment, category, export, item, tag

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def test_a_post_comes_in_with_its_fields(run_import, client, site):
    data = export(
        item(
            7,
            "Cold starts, measured",
            content="<p>First <strong>paragraph</strong>.</p>\n<p>Second.</p>",
            excerpt="<p>Hand-written <em>summary</em>.</p>",
            post_name="cold-starts",
            date_gmt="2019-05-04 10:20:30",
            date="2019-05-04 12:20:30",
            meta={"_yoast_wpseo_metadesc": "For search engines."},
        )
    )
    report = run_import(data)
    post = Post.objects.get()
    assert post.title == "Cold starts, measured"
    assert post.slug == "cold-starts"
    assert post.body == "First **paragraph**.\n\nSecond.\n"
    assert post.excerpt == "Hand-written summary."
    assert post.meta_description == "For search engines."
    assert post.status == Status.PUBLISHED
    assert post.published_at == datetime.datetime(2019, 5, 4, 10, 20, 30, tzinfo=UTC)
    assert not post.featured
    assert report.items["post"] == {"created": 1}
    assert client.get("/posts/cold-starts/").status_code == 200


@pytest.mark.parametrize(
    ("wp_status", "status", "state"),
    [
        ("publish", Status.PUBLISHED, "published"),
        ("draft", Status.DRAFT, "draft"),
        ("pending", Status.DRAFT, "draft"),
        ("private", Status.DRAFT, "draft"),
    ],
)
def test_status_mapping(run_import, wp_status, status, state):
    report = run_import(export(item(1, status=wp_status)))
    assert Post.objects.get().status == status
    assert report.statuses == {state: 1}


def test_future_posts_are_scheduled(run_import):
    report = run_import(export(item(1, status="future", date_gmt="2099-01-01 19:00:00")))
    post = Post.objects.get()
    assert post.is_scheduled
    assert report.statuses == {"scheduled": 1}
    assert not Post.objects.published().exists()


def test_trash_and_auto_drafts_are_skipped(run_import):
    report = run_import(export(item(1, status="trash"), item(2, status="auto-draft"), item(3)))
    assert Post.objects.count() == 1
    assert report.items["post"] == {"created": 1, "skipped": 2}
    assert "1 in the trash" in "\n".join(report.lines())


def test_password_protected_posts_become_drafts_and_are_reported(run_import):
    report = run_import(export(item(1, password="secret")))
    assert Post.objects.get().status == Status.DRAFT
    assert [w.kind for w in report.warnings] == ["password"]


def test_sticky_posts_are_featured(run_import):
    run_import(export(item(1, sticky=True), item(2)))
    assert list(Post.objects.filter(featured=True).values_list("title", "slug")) == [
        ("A post", "post-1")
    ]


def test_pages_are_skipped_and_reported_or_imported_as_drafts(run_import):
    data = export(item(1), item(2, "About me", post_type="page", post_name="about"))
    report = run_import(data)
    assert Post.objects.count() == 1
    assert report.items["page"] == {"skipped": 1}
    assert "page: 1 — 1 skipped: this site has no pages" in report.lines()[2]
    assert [w.kind for w in report.warnings] == ["page skipped"]

    report = run_import(data, pages="draft")
    page = Post.objects.get(slug="about")
    assert page.status == Status.DRAFT
    assert report.items["page"] == {"created": 1}


def test_other_types_comments_and_attachments_are_counted_not_imported(run_import):
    data = export(
        item(1, comments=3),
        attachment(2, "https://old.example.com/wp-content/uploads/2019/05/photo.jpg"),
        item(3, post_type="nav_menu_item"),
        item(4, post_type="product"),
    )
    report = run_import(data)
    assert Post.objects.count() == 1
    assert report.comments == 3
    lines = "\n".join(report.lines())
    assert "Comments: 3 not imported" in lines
    assert "attachment: 1 — 1 skipped: attachment pages are not imported" in lines
    assert "nav_menu_item: 1 — 1 skipped: not imported (menus are not content)" in lines
    assert "product: 1 — 1 skipped: not content" in lines


def test_tags_become_categories_merged_with_categories_of_the_same_name(run_import, client, site):
    terms = (
        category("serverless", "Serverless", description="All about <b>functions</b>")
        + category("aws", "AWS", parent="serverless")
        + tag("python", "Python")
        + tag("serverless-2", "serverless")
    )
    data = export(
        item(
            1,
            terms=[
                ("category", "serverless", "Serverless"),
                ("category", "aws", "AWS"),
                ("category", "uncategorized", "Uncategorized"),
                ("post_tag", "python", "Python"),
                ("post_tag", "serverless-2", "serverless"),
                ("post_format", "post-format-aside", "Aside"),
            ],
        ),
        terms=terms,
    )
    CategoryFactory(name="Python", slug="py")  # the author made it already
    report = run_import(data)
    post = Post.objects.get()
    assert sorted(c.slug for c in post.categories.all()) == ["aws", "py", "serverless"]
    assert Category.objects.get(slug="serverless").description == "All about functions"
    assert not Category.objects.filter(slug="uncategorized").exists()
    assert report.terms["category"] == {"created": 2}
    assert report.terms["post_tag"] == {"existing": 2}
    # The old archive addresses lead to the categories.
    assert client.get("/tag/python/")["Location"] == "/category/py/"
    assert client.get("/tag/serverless-2/")["Location"] == "/category/serverless/"
    assert client.get("/category/serverless/aws/")["Location"] == "/category/aws/"


def test_titles_are_plain_text_with_entities_decoded_once(run_import, client, site):
    data = export(
        item(1, "Tom &amp;amp; Jerry", raw_title=True),
        item(2, "<![CDATA[Media &amp; Text]]>", raw_title=True),
        item(3, "<![CDATA[Title <em>With</em> markup]]>", raw_title=True),
        item(4, "Ελληνικά - Greek", post_name="%ce%b5%ce%bb%ce%bb%ce%b7%ce%bd%ce%b9%ce%ba%ce%ac"),
        item(5, "", post_name=""),
    )
    report = run_import(data)
    titles = dict(Post.objects.values_list("slug", "title"))
    assert titles["post-1"] == "Tom & Jerry"
    assert titles["post-2"] == "Media & Text"
    assert titles["post-3"] == "Title With markup"  # WordPress showed the tags as formatting
    assert titles["greek"] == "Ελληνικά - Greek"
    assert titles["untitled"] == "Untitled"
    assert "untitled" in report.warning_kinds
    html = client.get("/posts/post-3/").content.decode()
    assert "<h1>Title With markup</h1>" in html
    assert "&lt;em&gt;" not in html


def test_duplicate_slugs_get_a_suffix_and_are_reported(run_import):
    PostFactory(slug="hello")
    report = run_import(export(item(1, post_name="hello"), item(2, post_name="hello")))
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["hello", "hello-2", "hello-3"]
    assert report.warning_kinds["duplicate slug"] == 2
    again = run_import(export(item(1, post_name="hello"), item(2, post_name="hello")))
    assert again.items["post"] == {"unchanged": 2}
    assert "duplicate slug" not in again.warning_kinds


def test_dates_come_from_gmt_or_stand_ins(run_import):
    data = export(
        item(1, status="draft", date_gmt="0000-00-00 00:00:00", date="2020-02-03 04:05:06"),
        item(
            2,
            date_gmt="0000-00-00 00:00:00",
            date="2020-02-03 04:05:06",
            pub_date="Mon, 03 Feb 2020 03:05:06 +0000",
        ),
        item(3, status="draft", date_gmt="0000-00-00 00:00:00", date="0000-00-00 00:00:00"),
    )
    report = run_import(data)
    dates = dict(Post.objects.values_list("slug", "published_at"))
    assert dates["post-1"] == datetime.datetime(2020, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert dates["post-2"] == datetime.datetime(2020, 2, 3, 3, 5, 6, tzinfo=UTC)
    assert abs(dates["post-3"] - timezone.now()) < datetime.timedelta(minutes=1)
    assert report.warnings == []  # stand-in dates for drafts are normal


def test_more_tag_gives_the_excerpt_and_unknown_shortcodes_are_reported(run_import):
    data = export(item(1, content="Teaser.\n\n<!--more-->\n\nRest with [poll id=3].\n"))
    report = run_import(data)
    post = Post.objects.get()
    assert post.excerpt == "Teaser."
    assert post.teaser == "Teaser."
    assert post.body == "Teaser.\n\nRest with [poll id=3].\n"
    assert "[poll id=3]" in post.body_html
    assert [w.kind for w in report.warnings] == ["unknown shortcode"]
