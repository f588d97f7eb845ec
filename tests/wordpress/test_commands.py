"""The import_wordpress command."""

import io

import pytest
from django.core.management import CommandError, call_command

from blog.models import Post
from tests.wordpress.wxr import export, item

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_wordpress_prints_a_summary(tmp_path, media_dir):
    path = tmp_path / "export.xml"
    path.write_bytes(export(item(1, "Hello", post_name="hello"), item(2, post_type="page")))
    warnings = tmp_path / "warnings.txt"
    out = run(
        "import_wordpress", str(path), "--media-dir", str(media_dir),
        "--warnings-file", str(warnings),
    )  # fmt: skip
    assert "WordPress import of “Old blog” (old.example.com, WXR 1.2)" in out
    assert "post: 1 — 1 created" in out
    assert "page: 1 — 1 skipped: this site has no pages" in out
    assert "Redirects from old addresses: 1 created" in out
    assert f"Every warning is listed in {warnings}" in out
    assert "[page skipped] page 2" in warnings.read_text()
    assert Post.objects.get().slug == "hello"


def test_import_wordpress_dry_run_lists_each_item_and_changes_nothing(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(export(item(1, "Hello", post_name="hello")))
    out = run("import_wordpress", str(path), "--dry-run", "--warnings-file", str(tmp_path / "w"))
    assert "would create post 1 “Hello” → /posts/hello/" in out
    assert "Dry run of the WordPress import" in out
    assert not Post.objects.exists()


def test_import_wordpress_refuses_what_it_cannot_read(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("import_wordpress", str(tmp_path / "missing.xml"))
    path = tmp_path / "picture.xml"
    path.write_bytes(b"\x89PNG\r\n")
    with pytest.raises(CommandError, match="not a WordPress export"):
        run("import_wordpress", str(path), "--warnings-file", str(tmp_path / "w"))
    path.write_bytes(export(item(1)))
    with pytest.raises(CommandError, match="no such folder"):
        run("import_wordpress", str(path), "--media-dir", str(tmp_path / "nope"))
