"""What each place a project is released tells us, as UpstreamReleases: GitHub and GitLab
(webhook payloads and their REST APIs' release lists), PyPI (its JSON API) and npm (the
registry's package document). Reading only: polling and the webhooks decide what to do."""

from datetime import UTC, datetime
from urllib.parse import quote

from django.conf import settings
from django.utils.dateparse import parse_datetime

from projects.imports.upstream import UpstreamRelease, html_to_markdown, is_prerelease


class PayloadError(ValueError):
    """The payload lacks what a release needs (the message says what)."""


def _when(value) -> datetime:
    """ISO 8601 ("2026-12-01T09:30:00Z") or GitLab's hook format ("2026-12-02 12:00:00 UTC")."""
    if not value or not isinstance(value, str):
        return datetime.now(UTC)
    text = value.strip().removesuffix(" UTC").replace(" ", "T", 1)
    parsed = parse_datetime(text.replace("Z", "+00:00"))
    if parsed is None:
        raise PayloadError(f"not a date: {value[:40]!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(value, name: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise PayloadError(f"{name} is missing or not text")
    return value


# --- GitHub ----------------------------------------------------------------------------


def _notes(release: dict) -> str:
    """GitHub-flavoured Markdown, or HTML when only `body_html` came (the html+json media
    type), converted to Markdown."""
    if release.get("body") is None and isinstance(release.get("body_html"), str):
        return html_to_markdown(release["body_html"])
    return _text(release.get("body"), "release.body")


def github_release(release: dict) -> UpstreamRelease:
    """One release object, from a webhook's `release` or the REST list."""
    if not isinstance(release, dict):
        raise PayloadError("release is not an object")
    return UpstreamRelease(
        source="github",
        tag=_text(release.get("tag_name"), "release.tag_name", required=True),
        name=_text(release.get("name"), "release.name"),
        notes=_notes(release),
        published_at=_when(release.get("published_at") or release.get("created_at")),
        url=_text(release.get("html_url"), "release.html_url"),
        prerelease=bool(release.get("prerelease")),
    )


def github_releases_url(repo: str) -> str:
    return f"{settings.GITHUB_API_URL}/repos/{repo}/releases?per_page=30"


def github_headers() -> dict:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if settings.GITHUB_TOKEN:
        headers["Authorization"] = f"Bearer {settings.GITHUB_TOKEN}"
    return headers


def github_list(data) -> list[UpstreamRelease]:
    if not isinstance(data, list):
        raise PayloadError("the releases list is not a list")
    return [github_release(item) for item in data if not item.get("draft")]


# --- GitLab ----------------------------------------------------------------------------


def gitlab_release(release: dict, project_url: str = "") -> UpstreamRelease:
    """A Release Hook payload, or one item of the REST list."""
    if not isinstance(release, dict):
        raise PayloadError("release is not an object")
    tag = _text(release.get("tag") or release.get("tag_name"), "tag", required=True)
    links = release.get("_links") if isinstance(release.get("_links"), dict) else {}
    url = (
        release.get("url")
        or links.get("self")
        or (f"{project_url}/-/releases/{tag}" if project_url else "")
    )
    return UpstreamRelease(
        source="gitlab",
        tag=tag,
        name=_text(release.get("name"), "name"),
        notes=_text(release.get("description"), "description"),
        published_at=_when(release.get("released_at") or release.get("created_at")),
        url=_text(url, "url"),
        prerelease=bool(release.get("upcoming_release")),
    )


def gitlab_releases_url(project: str) -> str:
    return f"{settings.GITLAB_API_URL}/projects/{quote(project, safe='')}/releases"


def gitlab_list(data, project_url: str = "") -> list[UpstreamRelease]:
    if not isinstance(data, list):
        raise PayloadError("the releases list is not a list")
    return [gitlab_release(item, project_url) for item in data]


# --- PyPI and npm ------------------------------------------------------------------------


def pypi_url(name: str) -> str:
    return f"{settings.PYPI_URL}/pypi/{quote(name)}/json"


def pypi_list(data, name: str) -> list[UpstreamRelease]:
    """Every version with at least one file not yanked, dated by its first upload."""
    if not isinstance(data, dict) or not isinstance(data.get("releases"), dict):
        raise PayloadError("no releases in the PyPI answer")
    found = []
    for version, files in data["releases"].items():
        files = [f for f in files or [] if isinstance(f, dict) and not f.get("yanked")]
        if not files:
            continue
        uploaded = min(f.get("upload_time_iso_8601") or f.get("upload_time") or "" for f in files)
        found.append(
            UpstreamRelease(
                source="pypi",
                tag=version,
                name="",
                notes="",
                published_at=_when(uploaded),
                url=f"https://pypi.org/project/{quote(name)}/{quote(version)}/",
                prerelease=is_prerelease(version),
            )
        )
    return found


def npm_url(name: str) -> str:
    # Scoped names keep their @ and have the slash encoded (@scope%2fname).
    return f"{settings.NPM_REGISTRY_URL}/{quote(name, safe='@')}"


def npm_list(data, name: str) -> list[UpstreamRelease]:
    if not isinstance(data, dict) or not isinstance(data.get("versions"), dict):
        raise PayloadError("no versions in the npm answer")
    times = data.get("time") if isinstance(data.get("time"), dict) else {}
    return [
        UpstreamRelease(
            source="npm",
            tag=version,
            name="",
            notes="",
            published_at=_when(times.get(version)),
            url=f"https://www.npmjs.com/package/{name}/v/{quote(version)}",
            prerelease=is_prerelease(version),
        )
        for version, doc in data["versions"].items()
        if not (isinstance(doc, dict) and doc.get("deprecated"))
    ]
