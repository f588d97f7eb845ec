"""Backfill from a Keep-a-Changelog file (`manage.py import_changelog`): dated sections
become releases, idempotently; Unreleased and yanked sections are left out; old releases
send no alert; a file without dated sections is refused with a clear message."""

import io

import pytest
from django.core.management import CommandError, call_command

from newsletter.models import Issue
from tests.factories import ProjectFactory
from tests.release_registry import FIXTURES

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_changelog", *args, stdout=out)
    return out.getvalue()


def test_dated_sections_become_releases_once(site, tmp_path):
    project = ProjectFactory(slug="lambda-router", name="Lambda Router")
    changelog = FIXTURES / "CHANGELOG.md"
    out = run("lambda-router", str(changelog))
    versions = sorted(project.releases.values_list("version", flat=True))
    assert versions == ["0.10.0", "0.10.1", "0.11.0", "0.12.0"]
    assert "0.9.0 was yanked" in out
    release = project.releases.get(version="0.10.0")
    assert release.published_at.date().isoformat() == "2026-07-20"
    assert release.notes.startswith("###")
    assert release.upstream_url.startswith("https://github.com/")
    assert not Issue.objects.filter(kind="release").exists()  # old news: no alerts

    again = run("lambda-router", str(changelog))
    assert "0 release(s) created" in again
    assert project.releases.count() == 4


def test_bad_files_are_refused_clearly(site, tmp_path):
    ProjectFactory(slug="p")
    empty = tmp_path / "CHANGELOG.md"
    empty.write_text("# Changelog\n\nNothing here.\n")
    with pytest.raises(CommandError, match="no dated sections"):
        run("p", str(empty))
    with pytest.raises(CommandError, match=r"No such file|No project"):
        run("p", str(tmp_path / "missing.md"))
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError):
        run("p", str(binary))
