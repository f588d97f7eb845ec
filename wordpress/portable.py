"""The author's writing as plain files: Markdown with front matter, plus media.

`export_content DIR` writes every post, release and newsletter issue (and the categories,
series and projects they belong to) as one Markdown file each, with its fields in a front matter
block, and copies the media they use. `import_content DIR` reads such a folder back,
creating or updating by natural key (slug, project and version, issue number), so the
same folder can be imported again without duplicating anything.

The front matter is YAML that any static site generator reads (Hugo, Jekyll, Eleventy),
written one `key: value` per line with each value in JSON notation, which is valid YAML.
That keeps the reader here small and exact without a YAML library.

    DIR/README.md
    DIR/categories/<slug>.md             name, slug; the description as body
    DIR/series/<slug>.md                 title, slug; the description as body
    DIR/posts/<slug>.md                  the body is the post's Markdown; its series and
                                         part, and its update notes, in the front matter
    DIR/projects/<slug>.md               the description as body
    DIR/releases/<project>/<version>.md  the release notes as body
    DIR/issues/<number>.md               the issue's Markdown
    DIR/media/<name in storage>          covers, audio, images the texts link to
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from blog.models import Category, Post, PostUpdate, Series
from newsletter.models import Issue
from projects.models import Project, Release

FORMAT_VERSION = 1
README = """# Content export

Every post, release and newsletter issue of the blog, one Markdown file each, with its
fields in the front matter (YAML; each value is written in JSON notation, which YAML
reads). `media/` holds the files they use, under the same names as in the site's media.

Import it back (into this blog or a new one) with:

    python manage.py import_content {dir}

Items are matched by slug (posts, categories, projects), project and version (releases)
and number (issues): importing the same folder twice changes nothing.
"""


def front_matter(data: dict) -> str:
    lines = ["---"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in data.items()]
    lines.append("---")
    return "\n".join(lines) + "\n"


def write_document(path: Path, data: dict, body: str):
    """Front matter, then the body exactly as stored (so it reads back unchanged)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(front_matter(data) + (body or ""))


def read_document(path: Path) -> tuple[dict, str]:
    with path.open(encoding="utf-8", newline="") as f:
        text = f.read()
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 3)
    if end == -1:
        end = len(text)
    data = {}
    for line in text[4:end].splitlines():
        key, sep, raw = line.partition(":")
        if not sep:
            continue
        raw = raw.strip()
        try:
            data[key.strip()] = json.loads(raw)
        except ValueError:  # a value edited by hand, in plain YAML
            data[key.strip()] = raw
    return data, text[end + 5 :]


def _date(value: datetime) -> str:
    return value.isoformat()


def _parse_date(value: str) -> datetime:
    return datetime.fromisoformat(value)


def media_names(text: str) -> set[str]:
    """Names in storage of the media files a text links to (by MEDIA_URL)."""
    pattern = re.escape(settings.MEDIA_URL) + r"([^\s)\"'<>\]]+)"
    return {unquote(m.group(1)) for m in re.finditer(pattern, text or "")}


@dataclass
class Counts:
    written: dict[str, int] = field(default_factory=dict)
    missing_media: list[str] = field(default_factory=list)

    def add(self, kind: str, n: int = 1):
        self.written[kind] = self.written.get(kind, 0) + n

    def lines(self, verb: str) -> list[str]:
        parts = [f"{n} {kind}" for kind, n in self.written.items()]
        lines = [f"{verb}: " + (", ".join(parts) if parts else "nothing")]
        if self.missing_media:
            lines.append(f"Media files not found ({len(self.missing_media)}):")
            lines += [f"  {name}" for name in self.missing_media]
        return lines


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
            "published_at": _date(post.published_at),
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
            "published_at": _date(release.published_at),
        }
        media.update(media_names(release.notes))
        path = directory / "releases" / release.project.slug / f"{release.version}.md"
        write_document(path, data, release.notes)
        counts.add("releases")

    for issue in Issue.objects.order_by("number"):
        data = {
            "number": issue.number,
            "title": issue.title,
            "subtitle": issue.subtitle,
            "status": issue.status,
            "published_at": _date(issue.published_at),
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
    return [{"date": _date(update.date), "note": update.note} for update in notes]


def _set_updates(post, updates: list[dict]) -> bool:
    """Make the post's update notes these; False when they already were."""
    wanted = [(_parse_date(u["date"]), u["note"]) for u in updates]
    current = sorted((u.date, u.note) for u in post.updates.all())
    if current == sorted(wanted):
        return False
    post.updates.all().delete()
    for date, note in wanted:
        PostUpdate.objects.create(post=post, date=date, note=note)
    return True


def _documents(directory: Path, kind: str):
    folder = directory / kind
    if folder.is_dir():
        for path in sorted(folder.rglob("*.md")):
            yield path, *read_document(path)


def _restore_media(directory: Path, counts: Counts):
    folder = directory / "media"
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        size = path.stat().st_size
        if default_storage.exists(name):
            if default_storage.size(name) == size:
                continue
            default_storage.delete(name)
        with path.open("rb") as f:
            saved = default_storage.save(name, File(f, name=path.name))
        if saved != name:
            raise ValueError(f"media/{name} could not be stored under its own name ({saved})")
        counts.add("media files")


def _upsert(model, lookup: dict, values: dict) -> tuple[object, bool]:
    """Update the object found by `lookup` (or create it), saving only when something
    changed, so that importing the same folder twice changes nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        return obj, True
    changed = False
    for key, value in values.items():
        current = getattr(obj, key)
        if hasattr(current, "name") and hasattr(current, "storage"):
            current = current.name or ""
        if current != value:
            setattr(obj, key, value)
            changed = True
    if changed:
        obj.save()
    return obj, changed


def import_content(directory: Path) -> Counts:
    """Read an export_content folder back, all in one transaction."""
    directory = Path(directory)
    if not (directory / "posts").is_dir() and not (directory / "issues").is_dir():
        raise ValueError(f"{directory} does not look like an export_content folder")
    counts = Counts()
    _restore_media(directory, counts)
    with transaction.atomic():
        for _path, data, body in _documents(directory, "categories"):
            category = (
                Category.objects.filter(slug=data["slug"]).first()
                or Category.objects.filter(name=data["name"]).first()
            )
            if category is None:
                Category.objects.create(name=data["name"], slug=data["slug"], description=body)
                counts.add("categories")
            elif (category.name, category.slug, category.description) != (
                data["name"],
                data["slug"],
                body,
            ):
                category.name, category.slug = data["name"], data["slug"]
                category.description = body
                category.save()
                counts.add("categories")

        for _path, data, body in _documents(directory, "series"):
            if _upsert(
                Series, {"slug": data["slug"]}, {"title": data["title"], "description": body}
            )[1]:
                counts.add("series")

        for _path, data, body in _documents(directory, "posts"):
            series = (
                Series.objects.filter(slug=data["series"]).first() if data.get("series") else None
            )
            values = {
                "title": data["title"],
                "body": body,
                "status": data["status"],
                "published_at": _parse_date(data["published_at"]),
                "featured": bool(data.get("featured")),
                "excerpt": data.get("excerpt", ""),
                "meta_description": data.get("meta_description", ""),
                "cover_image": data.get("cover_image", ""),
                "cover_alt": data.get("cover_alt", ""),
                "audio": data.get("audio", ""),
                "series": series,
                "series_part": data.get("series_part"),
            }
            post, changed = _upsert(Post, {"slug": data["slug"]}, values)
            changed = _set_updates(post, data.get("updates", [])) or changed
            slugs = set(data.get("categories", []))
            if {c.slug for c in post.categories.all()} != slugs:
                post.categories.set(Category.objects.filter(slug__in=slugs))
                changed = True
            if changed:
                counts.add("posts")

        for _path, data, body in _documents(directory, "projects"):
            fields = ["name", "tagline", "repository_url", "package_url", "docs_url"]
            values = {k: data.get(k, "") for k in fields}
            values["display_order"] = int(data.get("display_order") or 0)
            values["active"] = bool(data.get("active", True))
            values["description"] = body
            if _upsert(Project, {"slug": data["slug"]}, values)[1]:
                counts.add("projects")

        for _path, data, body in _documents(directory, "releases"):
            project = Project.objects.get(slug=data["project"])
            values = {
                "title": data.get("title", ""),
                "summary": data.get("summary", ""),
                "notes": body,
                "status": data["status"],
                "published_at": _parse_date(data["published_at"]),
            }
            lookup = {"project": project, "version": data["version"]}
            if _upsert(Release, lookup, values)[1]:
                counts.add("releases")

        for _path, data, body in _documents(directory, "issues"):
            values = {
                "title": data.get("title", ""),
                "subtitle": data.get("subtitle", ""),
                "body": body,
                "status": data["status"],
                "published_at": _parse_date(data["published_at"]),
            }
            if _upsert(Issue, {"number": data["number"]}, values)[1]:
                counts.add("issues")
    return counts
