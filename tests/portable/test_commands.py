"""export_content and import_content: the site's content to Markdown files and back."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from blog.models import Category, Post, Series
from core.models import Status
from newsletter.models import Issue
from portable.documents import read_document
from projects.models import Project, Release
from tests.audio_samples import MP3
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


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def content_snapshot():
    return {
        "categories": sorted(Category.objects.values_list("name", "slug", "description")),
        "posts": sorted(
            (
                p.slug, p.title, p.body, p.body_html, p.excerpt, p.status, p.published_at,
                p.featured, p.meta_description, p.cover_image.name, p.cover_alt, p.audio.name,
                p.audio_mime_type, p.audio_duration,
                tuple(sorted(c.slug for c in p.categories.all())),
                p.series.slug if p.series else None, p.series_part,
                tuple(sorted((u.date, u.note, u.note_html) for u in p.updates.all())),
            )
            for p in Post.objects.all()
        ),
        "series": sorted(Series.objects.values_list("title", "slug", "description")),
        "projects": sorted(Project.objects.values_list(
            "name", "slug", "tagline", "description", "repository_url", "package_url", "docs_url",
            "display_order", "active",
        )),
        "releases": sorted(Release.objects.values_list(
            "project__slug", "version", "title", "summary", "notes", "notes_html", "status",
            "published_at",
        )),
        "issues": sorted(Issue.objects.values_list(
            "number", "title", "subtitle", "body", "body_html", "status", "published_at",
        )),
    }  # fmt: skip


def test_export_then_import_reproduces_the_content(tmp_path, site, settings):
    cover = SimpleUploadedFile("cover.png", _png(), content_type="image/png")
    audio = SimpleUploadedFile("episode.mp3", MP3.read_bytes())
    serverless = CategoryFactory(name="Serverless", slug="serverless", description="λ things")
    inline = PostFactory(
        slug="with-image",
        body="Intro\n\n![Chart](/media/uploads/chart.png)\n\n```python\nprint(1)\n```",
        excerpt="Short",
        featured=True,
        cover_image=cover,
        cover_alt="A cover",
        audio=audio,
        meta_description="Meta",
        categories=[serverless],
    )
    (settings.MEDIA_ROOT / "uploads").mkdir(parents=True)
    (settings.MEDIA_ROOT / "uploads/chart.png").write_bytes(_png())
    PostFactory(slug="draft", status=Status.DRAFT, title="A “draft”\nwith: colons ---")
    series = SeriesFactory(slug="pools", title="Pools", description="Four *parts*.")
    PostFactory(slug="part-two", series=series, series_part=2)
    part_one = PostFactory(slug="part-one", series=series, series_part=1)
    PostUpdateFactory(post=part_one, note="Fixed a **typo**.", date=ago(days=2))
    PostUpdateFactory(post=part_one, note="Added a chart:\n\n- one\n- two", date=ago(days=1))
    release = ReleaseFactory(project=ProjectFactory(slug="router", description="A *router*."))
    ReleaseFactory(project=release.project, version="2.0.0-rc.1", title="")
    IssueFactory(number=3, body="---\nNot front matter\n---\n")
    before = content_snapshot()

    out = run("export_content", str(tmp_path / "out"))
    assert "4 posts" in out
    assert "1 series" in out
    assert "3 media files" in out
    data, _ = read_document(tmp_path / "out/posts/part-one.md")
    assert (data["series"], data["series_part"]) == ("pools", 1)
    assert [u["note"] for u in data["updates"]] == [
        "Fixed a **typo**.",
        "Added a chart:\n\n- one\n- two",
    ]
    data, body = read_document(tmp_path / "out/posts/with-image.md")
    assert data["title"] == inline.title
    assert data["categories"] == ["serverless"]
    assert body == inline.body
    text = (tmp_path / "out/posts/with-image.md").read_text()
    assert text.startswith("---\ntitle: ")
    assert '\ncategories: ["serverless"]\n' in text
    assert (tmp_path / "out/media/uploads/chart.png").is_file()
    assert (tmp_path / "out/releases/router/2.0.0-rc.1.md").is_file()
    assert (tmp_path / "out/issues/3.md").is_file()

    # A new, empty site with nothing in its media folder.
    for model in (Release, Project, Issue, Post, Category, Series):
        model.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT)

    out = run("import_content", str(tmp_path / "out"))
    assert "4 posts" in out
    assert "1 series" in out
    assert content_snapshot() == before
    assert Path(settings.MEDIA_ROOT / Post.objects.get(slug="with-image").audio.name).is_file()
    again = run("import_content", str(tmp_path / "out"))
    assert again.strip().endswith("nothing")
    assert content_snapshot() == before


def test_import_content_refuses_a_folder_that_is_not_an_export(tmp_path):
    with pytest.raises(CommandError, match="does not look like"):
        run("import_content", str(tmp_path))


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()
