"""The one place imported releases are written (every source and the webhooks call it).

- A new version becomes a Release: a draft, or published at once, as the project says;
  pre-releases only when the project imports them. Its title follows the project's
  pattern, its notes are the upstream notes (rendered and sanitized like every body), its
  summary their first paragraph.
- An upstream edit updates the release, unless it was edited here since the import (the
  hash of what was imported no longer matches): then the author's text stays and the admin
  shows that upstream changed (`upstream_changed_at`).
- An upstream delete never deletes anything here: an imported release nobody touched goes
  back to draft; one edited here stays as it is. Both are marked `upstream_deleted_at`,
  which the admin shows.
- Publishing goes through save(), so a published import sends its release alert (mailings)
  exactly once, like a release published by hand.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Status
from projects.imports.upstream import (
    UpstreamRelease,
    clean_notes,
    content_hash,
    summary_from_notes,
    version_from_tag,
)
from projects.models import ImportMode, Project, Release

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    action: str  # created, updated, unchanged, kept (edited here), skipped, unpublished
    release: Release | None = None
    detail: str = ""

    def __str__(self):
        version = f" {self.release.version}" if self.release else ""
        return f"{self.action}{version}{': ' + self.detail if self.detail else ''}"


def _content(project: Project, upstream: UpstreamRelease, version: str) -> dict:
    notes = clean_notes(upstream.notes)
    title = project.release_title.replace("{project}", project.name).replace("{version}", version)
    return {
        "title": title[:200],
        "summary": summary_from_notes(notes, version),
        "notes": notes,
        "upstream_url": upstream.url[:500],
    }


def _hash_of(release: Release) -> str:
    return content_hash(release.title, release.summary, release.notes)


def apply(project: Project, upstream: UpstreamRelease) -> Outcome:
    version = version_from_tag(upstream.tag, project.tag_prefix)
    if upstream.prerelease and not project.import_prereleases:
        return Outcome("skipped", detail=f"{version} is a pre-release")
    content = _content(project, upstream, version)
    existing = Release.objects.filter(project=project, version=version).first()
    if existing is None:
        return _create(project, upstream, version, content)
    if existing.source and existing.source != upstream.source:
        # The same version from two places (GitHub and PyPI): the first one keeps it.
        return Outcome("unchanged", existing, f"imported from {existing.source}")
    if existing.imported_hash and existing.imported_hash != _hash_of(existing):
        if (
            content_hash(content["title"], content["summary"], content["notes"])
            != existing.imported_hash
        ):
            Release.objects.filter(pk=existing.pk).update(upstream_changed_at=timezone.now())
            return Outcome("kept", existing, "edited here; upstream changed too")
        return Outcome("unchanged", existing)
    if not existing.imported_hash and existing.source == "":
        return Outcome("kept", existing, "written here, not imported")
    changed = {k: v for k, v in content.items() if getattr(existing, k) != v}
    if not changed and existing.upstream_deleted_at is None:
        return Outcome("unchanged", existing)
    for name, value in content.items():
        setattr(existing, name, value)
    existing.upstream_deleted_at = None
    existing.imported_hash = content_hash(content["title"], content["summary"], content["notes"])
    existing.save()
    return Outcome("updated", existing)


def _create(project, upstream, version, content) -> Outcome:
    published = project.import_mode == ImportMode.PUBLISHED
    release = Release(
        project=project,
        version=version,
        source=upstream.source,
        status=Status.PUBLISHED if published else Status.DRAFT,
        published_at=upstream.published_at or timezone.now(),
        imported_hash=content_hash(content["title"], content["summary"], content["notes"]),
        **content,
    )
    try:
        with transaction.atomic():
            release.save()
    except IntegrityError:  # the same release from two sources (or two deliveries) at once
        return Outcome("unchanged", Release.objects.get(project=project, version=version))
    logger.info("Imported %s %s from %s (%s)", project, version, upstream.source, release.status)
    return Outcome("created", release)


def remove(project: Project, tag: str, source: str) -> Outcome:
    """Upstream deleted the release: never delete it here (see the module's docstring)."""
    version = version_from_tag(tag, project.tag_prefix)
    release = Release.objects.filter(project=project, version=version).first()
    if release is None:
        return Outcome("unchanged", detail=f"{version} was never imported")
    now = timezone.now()
    untouched = release.imported_hash and release.imported_hash == _hash_of(release)
    if untouched and release.status == Status.PUBLISHED:
        release.status = Status.DRAFT
        release.upstream_deleted_at = now
        release.save()
        return Outcome("unpublished", release, f"deleted on {source}")
    Release.objects.filter(pk=release.pk).update(upstream_deleted_at=now)
    return Outcome("kept", release, f"deleted on {source}; kept here")
