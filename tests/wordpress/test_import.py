"""The importer, one rule at a time, on small exports written for each rule."""

import datetime
import shutil

import pytest
from django.contrib.redirects.models import Redirect
from django.utils import timezone

from blog.models import Category, Post
from core.models import Status
from tests.factories import CategoryFactory, PostFactory
from tests.wordpress.conftest import FIXTURES
from tests.wordpress.wxr import attachment, category, export, item, tag
from wordpress.models import ImportedItem
from wordpress.wxr import NotAnExport

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


def test_media_are_copied_and_urls_rewritten(run_import, media_dir, settings, client, site):
    up = "https://old.example.com/wp-content/uploads/2019/05/"
    data = export(
        attachment(50, up + "cover.png", alt="The cover"),
        item(
            1,
            content=f'<img src="{up}photo.jpg?w=300" alt="P">\n\n'
            f'<a href="{up}notes.pdf">Notes</a>\n\n<img src="{up}missing.jpg" alt="M">',
            meta={"_thumbnail_id": "50"},
        ),
    )
    report = run_import(data, media_dir=media_dir)
    post = Post.objects.get()
    assert post.body == (
        "![P](/media/wordpress/2019/05/photo.jpg)\n\n[Notes](/media/wordpress/2019/05/notes.pdf)"
        f"\n\n![M]({up}missing.jpg)\n"
    )
    assert post.cover_image.name == "wordpress/2019/05/cover.png"
    assert post.cover_alt == "The cover"
    assert (settings.MEDIA_ROOT / "wordpress/2019/05/notes.pdf").read_bytes().startswith(b"%PDF")
    assert report.media == {"copied": 3, "reused": 0, "missing": 1}
    assert report.warning_kinds == {"missing media": 1}
    assert client.get(post.get_absolute_url()).status_code == 200

    again = run_import(data, media_dir=media_dir)
    assert again.media == {"copied": 0, "reused": 3, "missing": 1}
    assert again.items["post"] == {"unchanged": 1}
    assert sorted(p.name for p in (settings.MEDIA_ROOT / "wordpress/2019/05").iterdir()) == [
        "cover.png",
        "notes.pdf",
        "photo.jpg",
    ]


UP = "https://old.example.com/wp-content/uploads/2019/05/"


@pytest.mark.parametrize(
    "fields",
    [
        {
            "meta": {"enclosure": f"{UP}episode.mp3\n47229\naudio/mpeg\n"},
            "content": f'Text.\n\n[audio src="{UP}episode.mp3"]',
        },
        {"content": f'Listen: [audio mp3="{UP}episode.mp3"][/audio]\n\nText.'},
        {"content": f"[audio {UP}episode.mp3]\n\nText."},
        {
            "content": '<!-- wp:audio --><figure class="wp-block-audio"><audio controls '
            f'src="{UP}episode.mp3"></audio></figure><!-- /wp:audio -->\n'
            "<!-- wp:paragraph --><p>Text.</p><!-- /wp:paragraph -->"
        },
    ],
    ids=["enclosure", "shortcode", "positional", "block"],
)
def test_enclosure_or_audio_shortcode_becomes_the_audio_version(
    run_import, media_dir, fields, client, site
):
    report = run_import(export(item(1, **fields)), media_dir=media_dir)
    post = Post.objects.get()
    assert post.audio.name == "wordpress/2019/05/episode.mp3"
    assert post.audio_mime_type == "audio/mpeg"
    assert post.audio_duration > 0
    assert "episode.mp3" not in post.body  # played above the text, not twice
    assert "Text." in post.body
    assert report.warnings == []
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<audio controls preload="none" src="/media/wordpress/2019/05/episode.mp3">' in html


def test_unreadable_or_missing_audio_is_reported_not_fatal(run_import, media_dir):
    up = "https://old.example.com/wp-content/uploads/2019/05/"
    data = export(
        item(1, meta={"enclosure": f"{up}fake.mp3\n10\naudio/mpeg"}),
        item(2, content=f'[audio src="{up}gone.mp3"]'),
    )
    report = run_import(data, media_dir=media_dir)
    assert report.items["post"] == {"created": 2}
    assert not Post.objects.exclude(audio="").exists()
    assert report.warning_kinds["audio"] == 1
    assert report.warning_kinds["missing media"] >= 1
    assert "could not be read as audio" in str(report.warnings)


def test_old_permalinks_answer_301_to_the_new_address(run_import, client, site):
    data = export(
        item(1, post_name="hello-world", link="https://old.example.com/2019/05/04/hello-world/"),
        item(
            2,
            "Ελληνικά",
            post_name="%ce%b5%ce%bb%ce%bb%ce%b7%ce%bd%ce%b9%ce%ba%ce%ac-greek",
            link="https://old.example.com/2019/05/04/%ce%b5%ce%bb%ce%bb%ce%b7%ce%bd%ce%b9%ce%ba%ce%ac-greek/",
        ),
        item(3, status="draft", link="https://old.example.com/?p=3"),
    )
    report = run_import(data)
    response = client.get("/2019/05/04/hello-world/")
    assert response.status_code == 301
    assert response["Location"] == "/posts/hello-world/"
    assert client.get(response["Location"]).status_code == 200
    greek = client.get("/2019/05/04/%CE%B5%CE%BB%CE%BB%CE%B7%CE%BD%CE%B9%CE%BA%CE%AC-greek/")
    assert greek.status_code == 301
    assert greek["Location"] == "/posts/greek/"
    assert client.get("/2019/05/04/hello-world")["Location"] == "/posts/hello-world/"
    assert report.redirects == {"created": 2, "created post": 2}  # ?p= links are no paths


def test_reimport_updates_in_place_and_follows_renames(run_import, client, site):
    run_import(export(item(1, "First title", post_name="first", content="Old text.")))
    post = Post.objects.get()
    report = run_import(
        export(
            item(
                1,
                "Better title",
                post_name="better",
                content="New text.",
                link="https://old.example.com/2019/05/04/better/",
            )
        )
    )
    assert report.items["post"] == {"updated": 1}
    post.refresh_from_db()
    assert (post.title, post.slug, post.body) == ("Better title", "better", "New text.\n")
    assert Post.objects.count() == ImportedItem.objects.count() == 1
    assert client.get("/2019/05/04/first/")["Location"] == "/posts/better/"
    assert client.get("/2019/05/04/better/")["Location"] == "/posts/better/"


def test_guid_finds_a_post_exported_from_the_sites_new_address(run_import):
    run_import(export(item(1, guid="https://old.example.com/?p=1")))
    report = run_import(
        export(item(1, "Moved", guid="https://old.example.com/?p=1"), site="https://new.example")
    )
    assert report.items["post"] == {"updated": 1}
    assert Post.objects.get().title == "Moved"
    assert ImportedItem.objects.get().source == "new.example"


def test_shared_guids_within_one_export_are_different_posts(run_import):
    same = "http://wptest.io/demo/?p=1"
    report = run_import(export(item(1, guid=same), item(2, guid=same)))
    assert report.items["post"] == {"created": 2}


def test_dry_run_changes_nothing_and_says_what_it_would_do(run_import, media_dir, settings):
    actions = []
    up = "https://old.example.com/wp-content/uploads/2019/05/"
    data = export(
        item(1, content=f'<img src="{up}photo.jpg">', terms=[("post_tag", "t", "T")]),
        item(2, post_name="second"),
    )
    report = run_import(data, dry_run=True, media_dir=media_dir, on_action=actions.append)
    assert not Post.objects.exists()
    assert not Category.objects.exists()
    assert not Redirect.objects.exists()
    assert not ImportedItem.objects.exists()
    assert not (settings.MEDIA_ROOT / "wordpress").exists()
    assert actions == [
        "would create post 1 “A post” → /posts/post-1/",
        "would create post 2 “A post” → /posts/second/",
    ]
    assert report.lines()[0].startswith("Dry run of the WordPress import")
    assert "Media files: 1 would be copied" in "\n".join(report.lines())


def test_one_bad_item_is_reported_and_the_rest_imported(run_import, monkeypatch):
    from wordpress import convert

    real = convert.to_markdown

    def flaky(content, ctx):
        if "boom" in content:
            raise RuntimeError("cannot convert this")
        return real(content, ctx)

    monkeypatch.setattr(convert, "to_markdown", flaky)
    data = export(
        item(1, terms=[("category", "new-one", "New one")]),
        item(2, content="boom", terms=[("category", "other", "Other")]),
        item(3, terms=[("category", "other", "Other")]),
    )
    report = run_import(data)
    assert Post.objects.count() == 2
    assert report.items["post"] == {"created": 2, "failed": 1}
    assert "RuntimeError: cannot convert this" in str(report.warnings)
    assert Category.objects.filter(slug="other").count() == 1
    assert Post.objects.get(slug="post-3").categories.get().slug == "other"


@pytest.mark.parametrize(
    ("version", "scheme"), [("1.0", "http"), ("1.1", "http"), ("1.2", "https"), ("1.2", "http")]
)
def test_every_wxr_version_and_namespace_spelling(run_import, version, scheme):
    data = export(
        item(1, "Hello", excerpt="Short.", terms=[("tag", "old-style", "Old style")]),
        version=version,
        scheme=scheme,
    )
    report = run_import(data)
    post = Post.objects.get()
    assert (post.title, post.excerpt) == ("Hello", "Short.")
    assert post.categories.get().slug == "old-style"  # WXR 1.0 says domain="tag"
    assert report.wxr_version == version
    assert report.warnings == []


def test_the_malformed_export_imports_what_can_be_read(run_import, client, site):
    report = run_import(FIXTURES / "malformed.xml")
    posts = {p.slug: p for p in Post.objects.all()}
    assert sorted(posts) == ["a-draft", "fish-chips", "same-slug", "same-slug-2", "tom-jerry"]
    assert posts["tom-jerry"].title == "Tom & Jerry"
    assert posts["tom-jerry"].body == "Text with a vertical tab removed.\n"
    assert posts["a-draft"].published_at == datetime.datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert report.items["post"] == {"created": 5, "failed": 1}
    kinds = report.warning_kinds
    assert kinds["xml"] >= 3  # undeclared prefix, a stray "&", the missing end
    assert kinds["duplicate slug"] == 1
    assert kinds["error"] == 1
    for post in posts.values():
        if post.is_published:
            assert client.get(post.get_absolute_url()).status_code == 200


def test_files_that_are_not_exports_are_refused(run_import, tmp_path):
    with pytest.raises(NotAnExport, match="not a WordPress export"):
        run_import(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(NotAnExport, match="RSS feed"):
        run_import(
            b'<?xml version="1.0"?><rss><channel><item><title>x</title></item></channel></rss>'
        )


def test_warnings_file_lists_every_warning_and_the_summary(run_import, tmp_path):
    path = tmp_path / "w.txt"
    run_import(export(item(1, password="x"), item(2, post_type="page")), warnings_path=path)
    text = path.read_text()
    assert "[password] post 1 “A post”: password-protected on WordPress" in text
    assert "[page skipped] page 2 “A post”" in text
    assert "Warnings: 2 (1 password, 1 page skipped)" in text


def test_upload_folder_is_never_left(run_import, media_dir, tmp_path, settings):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not publish")
    shutil.copy(secret, media_dir.parent / "outside.jpg")
    data = export(
        item(1, content='<img src="https://old.example.com/wp-content/uploads/../outside.jpg">')
    )
    run_import(data, media_dir=media_dir)
    assert not (settings.MEDIA_ROOT / "wordpress").exists()


def test_old_links_by_post_id_redirect_once_the_middleware_is_on(
    run_import, client, site, settings
):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "wordpress.middleware.WordPressIdRedirectMiddleware",
    ]
    run_import(export(item(12, post_name="by-id"), item(13, status="draft")))
    response = client.get("/?p=12")
    assert response.status_code == 301
    assert response["Location"] == "/posts/by-id/"
    assert client.get("/?page_id=12")["Location"] == "/posts/by-id/"
    assert client.get("/?p=13").status_code == 200  # a draft: the home page, as before
    assert client.get("/?p=999").status_code == 200


def test_an_id_reused_for_another_post_at_the_same_address_is_another_post(run_import):
    first = export(item(5, "First install", guid="https://old.example.com/first/"))
    second = export(item(5, "Second install", guid="https://old.example.com/second/"))
    run_import(first)
    assert run_import(second).items["post"] == {"created": 1}
    assert run_import(first).items["post"] == {"unchanged": 1}
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "First install",
        "Second install",
    ]
