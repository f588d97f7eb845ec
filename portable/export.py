"""`export_content DIR`: every post, release and newsletter issue, and the categories,
series and projects they belong to, written as Markdown files with front matter, and the
media they use copied (see documents.py for the folder)."""

from pathlib import Path

from django.core.files.storage import default_storage

from blog.models import Category, Post, Series
from newsletter.models import Issue
from portable.counts import Counts
from portable.documents import iso_date, media_names, write_document
from projects.models import Project, Release

README = """# Content export

Every post, release and newsletter issue of the blog, one Markdown file each, with its
fields in the front matter (YAML; each value is written in JSON notation, which YAML
reads). `media/` holds the files they use, under the same names as in the site's media.

Import it back (into this blog or a new one) with:

    python manage.py import_content {dir}

Items are matched by slug (posts, categories, projects), project and version (releases)
and number (issues): importing the same folder twice changes nothing.
"""


def export_content(directory: Path) -> Counts:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    counts = Counts()
    media: set[str] = set()

    for category in Category.objects.order_by("slug"):
        write_document(
            directory / "categories" / f"{category.slug}.md",
            {"name": category.name, "slug": category.slug},
            category.description,
        )
        counts.add("categories")

    for series in Series.objects.order_by("slug"):
        media.update(media_names(series.description))
        write_document(
            directory / "series" / f"{series.slug}.md",
            {"title": series.title, "slug": series.slug},
            series.description,
        )
        counts.add("series")

    posts = Post.objects.order_by("published_at", "pk").select_related("series")
    for post in posts.prefetch_related("categories", "updates"):
        data = {
            "title": post.title,
            "slug": post.slug,
            "status": post.status,
            "published_at": iso_date(post.published_at),
            "featured": post.featured,
            "categories": sorted(c.slug for c in post.categories.all()),
            "excerpt": post.excerpt,
            "meta_description": post.meta_description,
            "cover_image": post.cover_image.name or "",
            "cover_alt": post.cover_alt,
            "audio": post.audio.name or "",
            "series": post.series.slug if post.series else "",
            "series_part": post.series_part,
            "updates": _updates_of(post),
        }
        for update in post.updates.all():
            media.update(media_names(update.note))
        media.update(name for name in (post.cover_image.name, post.audio.name) if name)
        media.update(media_names(post.body))
        write_document(directory / "posts" / f"{post.slug}.md", data, post.body)
        counts.add("posts")

    for project in Project.objects.order_by("slug"):
        data = {
            "name": project.name,
            "slug": project.slug,
            "tagline": project.tagline,
            "repository_url": project.repository_url,
            "package_url": project.package_url,
            "docs_url": project.docs_url,
            "display_order": project.display_order,
            "active": project.active,
        }
        media.update(media_names(project.description))
        write_document(directory / "projects" / f"{project.slug}.md", data, project.description)
        counts.add("projects")

    for release in Release.objects.select_related("project").order_by("published_at", "pk"):
        data = {
            "project": release.project.slug,
            "version": release.version,
            "title": release.title,
            "summary": release.summary,
            "status": release.status,
            "published_at": iso_date(release.published_at),
        }
        media.update(media_names(release.notes))
        path = directory / "releases" / release.project.slug / f"{release.version}.md"
        write_document(path, data, release.notes)
        counts.add("releases")

    for issue in Issue.objects.filter(kind=Issue.Kind.NEWSLETTER).order_by("number"):
        data = {
            "number": issue.number,
            "title": issue.title,
            "subtitle": issue.subtitle,
            "status": issue.status,
            "published_at": iso_date(issue.published_at),
        }
        media.update(media_names(issue.body))
        write_document(directory / "issues" / f"{issue.number}.md", data, issue.body)
        counts.add("issues")

    for name in sorted(media):
        target = (directory / "media" / name).resolve()
        if not target.is_relative_to((directory / "media").resolve()):
            continue
        if not default_storage.exists(name):
            counts.missing_media.append(name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as src, target.open("wb") as dst:
            for chunk in iter(lambda: src.read(1024 * 1024), b""):
                dst.write(chunk)
        counts.add("media files")

    (directory / "README.md").write_text(README.format(dir=directory), encoding="utf-8")
    return counts


def _updates_of(post) -> list[dict]:
    """A post's update notes, oldest first, as front matter values."""
    notes = sorted(post.updates.all(), key=lambda u: (u.date, u.pk))
    return [{"date": iso_date(update.date), "note": update.note} for update in notes]
