"""`import_content DIR`: a folder written by export_content read back, creating or
updating by natural key (slug, project and version, issue number), so that the same
folder can be imported again without duplicating or changing anything."""

from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from blog.models import Category, Post, PostUpdate, Series
from core import bulk
from newsletter.models import Issue
from portable.counts import Counts
from portable.documents import parse_date, read_document
from projects.models import Project, Release


def _set_updates(post, updates: list[dict]) -> bool:
    """Make the post's update notes these; False when they already were."""
    wanted = [(parse_date(u["date"]), u["note"]) for u in updates]
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


@bulk.importing()
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
                "published_at": parse_date(data["published_at"]),
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
                "published_at": parse_date(data["published_at"]),
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
                "published_at": parse_date(data["published_at"]),
            }
            if _upsert(Issue, {"number": data["number"]}, values)[1]:
                counts.add("issues")
    return counts
