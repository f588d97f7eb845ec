"""A WordPress blog installed in a folder (`http://host/blog`), with the default `?p=123`
permalinks for most posts: every old link reaches its own post."""

import pytest
from django.contrib.redirects.models import Redirect

from blog.models import Category, Post
from tests.wordpress.wxr import category, export, item, tag

pytestmark = pytest.mark.django_db

BLOG = "http://host.example/blog"


def plain(post_id: int, title: str, **kwargs) -> str:
    """A post as WordPress exports it with plain permalinks: link and GUID are `?p=`."""
    link = f"{BLOG}/?p={post_id}"
    return item(post_id, title, link=link, guid=link, post_name=title.lower(), **kwargs)


def folder_export(*items: str) -> bytes:
    terms = category("news", "News") + category("rust", "Rust", parent="news") + tag("tips", "Tips")
    return export(*items, terms=terms, site=BLOG)


def the_blog() -> bytes:
    """Three posts with plain permalinks and one with a pretty one, in three categories."""
    return folder_export(
        plain(101, "First", terms=[("category", "news", "News")]),
        plain(102, "Second", terms=[("category", "rust", "Rust")]),
        plain(103, "Third", terms=[("post_tag", "tips", "Tips")]),
        item(
            104,
            "Pretty",
            post_name="pretty",
            link=f"{BLOG}/2019/05/04/pretty/",
            guid=f"{BLOG}/?p=104",
        ),
    )


@pytest.fixture
def imported(run_import, site):
    return run_import(the_blog())


def test_each_old_id_link_reaches_its_own_post(imported, client):
    for wp_id, slug in [(101, "first"), (102, "second"), (103, "third"), (104, "pretty")]:
        response = client.get(f"/blog/?p={wp_id}")
        assert response.status_code == 301, wp_id
        assert response["Location"] == f"/posts/{slug}/"
        assert client.get(response["Location"]).status_code == 200
    assert client.get("/blog/index.php?p=102")["Location"] == "/posts/second/"
    assert client.get("/blog/?page_id=103")["Location"] == "/posts/third/"
    assert client.get("/blog/?p=102&utm_source=feed")["Location"] == "/posts/second/"
    # Not at the root: this blog's /?p=101 was never an address of it.
    assert client.get("/?p=101").status_code == 200  # our home page
    assert client.get("/elsewhere/?p=101").status_code == 404


def test_pretty_links_archives_home_and_feed_keep_the_folder(imported, client):
    assert client.get("/blog/2019/05/04/pretty/")["Location"] == "/posts/pretty/"
    news, rust = Category.objects.get(slug="news"), Category.objects.get(slug="rust")
    assert client.get("/blog/category/news/")["Location"] == news.get_absolute_url()
    assert client.get("/blog/category/news/rust/")["Location"] == rust.get_absolute_url()
    assert client.get("/blog/tag/tips/")["Location"] == "/category/tips/"
    assert client.get("/blog/")["Location"] == "/"
    assert client.get("/blog/feed/")["Location"] == "/feed/"
    # Only folder addresses: nothing was registered at the root for this blog.
    assert not Redirect.objects.exclude(old_path__startswith="/blog/").exists()
    # The blog's home leads home, never to a post.
    assert Redirect.objects.get(old_path="/blog/").new_path == "/"


def test_no_redirect_was_overwritten_and_nothing_reported(imported):
    assert imported.redirects["updated"] == 0
    assert imported.redirects["clashes"] == 0
    assert not [w for w in imported.warnings if w.kind.startswith("redirect")]
    assert Redirect.objects.count() == len(set(Redirect.objects.values_list("old_path")))
    summary = "\n".join(imported.lines())
    assert "the old home and feed" in summary


def test_a_second_run_changes_no_redirect(imported, run_import):
    again = run_import(the_blog())
    assert again.items["post"] == {"unchanged": 4}
    assert again.redirects["created"] == again.redirects["updated"] == 0
    assert again.redirects["clashes"] == 0


def test_another_blog_with_the_same_ids_at_the_root_keeps_its_own_links(
    imported, run_import, client
):
    root = "http://other.example"
    run_import(
        export(
            item(
                101,
                "Root first",
                post_name="root-first",
                link=f"{root}/?p=101",
                guid=f"{root}/?p=101",
            ),
            site=root,
        )
    )
    assert client.get("/?p=101")["Location"] == "/posts/root-first/"
    assert client.get("/blog/?p=101")["Location"] == "/posts/first/"


def test_an_old_address_that_already_leads_elsewhere_is_kept_and_reported(run_import, client, site):
    Redirect.objects.create(site_id=1, old_path="/blog/2019/05/04/pretty/", new_path="/about/")
    report = run_import(
        folder_export(
            item(104, "Pretty", post_name="pretty", link=f"{BLOG}/2019/05/04/pretty/"),
            # Another post with the very same old address (an export with a stale link).
            item(105, "Copy", post_name="copy", link=f"{BLOG}/2019/05/04/copy/"),
            item(106, "Copy again", post_name="copy-again", link=f"{BLOG}/2019/05/04/copy/"),
        )
    )
    assert client.get("/blog/2019/05/04/pretty/")["Location"] == "/about/"
    assert client.get("/blog/2019/05/04/copy/")["Location"] == "/posts/copy/"
    assert report.redirects["clashes"] == 2
    messages = [w.message for w in report.warnings if w.kind == "redirect clash"]
    assert messages == [
        "the old address /blog/2019/05/04/pretty/ already redirects to /about/, so it does "
        "not lead to /posts/pretty/; change it under Redirects in the admin if it should",
        "the old address /blog/2019/05/04/copy/ already redirects to /posts/copy/, so it "
        "does not lead to /posts/copy-again/; change it under Redirects in the admin if it "
        "should",
    ]
    assert "2 already leading elsewhere (see the warnings)" in "\n".join(report.lines())
    assert Post.objects.count() == 3  # the posts themselves all came in


def test_titles_with_inline_html_read_as_their_words(run_import, client, site):
    run_import(
        folder_export(
            item(1, "<![CDATA[Title <em>With</em> Markup]]>", raw_title=True, post_name="a"),
            item(2, "Using <code>Vec&lt;T&gt;</code> in Rust", post_name="b"),
            item(
                3, "<![CDATA[Option<T> and <strong>you</strong>]]>", raw_title=True, post_name="c"
            ),
        )
    )
    titles = dict(Post.objects.values_list("slug", "title"))
    assert titles == {
        "a": "Title With Markup",
        "b": "Using Vec<T> in Rust",
        "c": "Option<T> and you",
    }
    html = client.get("/posts/a/").content.decode()
    assert "<h1>Title With Markup</h1>" in html
    assert "&lt;em&gt;" not in html
