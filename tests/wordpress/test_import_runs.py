"""An import as a whole: old addresses redirected, a second run updating in place, dry runs,
a bad item or a malformed file, every WXR version, the warnings file."""

import datetime

import pytest
from django.contrib.redirects.models import Redirect

from blog.models import Category, Post
from tests.wordpress.conftest import FIXTURES
from tests.wordpress.wxr import export, item
from wordpress.models import ImportedItem
from wordpress.wxr import NotAnExport

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


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
