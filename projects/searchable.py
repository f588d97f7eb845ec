"""What releases contribute to the site search (core.searchindex); registered in
ProjectsConfig."""

from core import searchindex
from core.markdown import html_to_text
from projects.models import Project, Release


def release_document(release) -> searchindex.Document:
    return searchindex.Document(
        title=release.title,
        summary=f"{release.project.name} {release.version}. {release.summary}",
        body=html_to_text(release.notes_html),
        url=release.get_absolute_url(),
        status=release.status,
        published_at=release.published_at,
    )


def project_releases(project) -> list:
    """A project's slug and name are part of its releases' addresses and summaries."""
    releases = list(project.releases.all())
    for release in releases:
        release.project = project
    return releases


def register():
    searchindex.register(
        Release,
        kind="release",
        label="Release",
        filter_label="Releases",
        document=release_document,
        queryset=lambda: Release.objects.select_related("project"),
        related=[(Project, project_releases)],
    )
