"""Backfill from a Keep-a-Changelog file (https://keepachangelog.com/en/1.1.0/): each dated
section, `## [0.10.0] - 2026-07-20`, becomes a release with that section as its notes and
its link reference (`[0.10.0]: https://…`) as its upstream page. "Unreleased" and yanked
sections are left out. Applied like every import (projects.imports.apply): running it again
changes nothing, and a version another source brought in first is left to it."""

import re
from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from core import bulk
from projects.imports.apply import Outcome, apply
from projects.imports.upstream import UpstreamRelease
from projects.models import Project

HEADING = re.compile(
    r"^##\s+\[?(?P<version>[^\]\s]+)\]?\s*(?:-|–|—)\s*(?P<date>\d{4}-\d{2}-\d{2})(?P<rest>.*)$"
)
LINK = re.compile(r"^\[(?P<label>[^\]]+)\]:\s*(?P<url>\S+)\s*$")


@dataclass(frozen=True)
class Section:
    version: str
    date: datetime
    notes: str
    yanked: bool


def sections(text: str) -> tuple[list[Section], dict[str, str]]:
    """The dated sections in file order, and the link references by label (lower case).
    Raises ValueError for a file without any dated section."""
    lines = text.replace("\r\n", "\n").split("\n")
    links = {m["label"].lower(): m["url"] for line in lines if (m := LINK.match(line.strip()))}
    found, current, body = [], None, []

    def close():
        if current:
            notes = "\n".join(line for line in body if not LINK.match(line.strip())).strip()
            found.append(Section(current[0], current[1], notes, current[2]))

    for line in lines:
        if line.startswith("## "):
            close()
            body = []
            match = HEADING.match(line.strip())
            current = None
            if match:
                day = datetime.strptime(match["date"], "%Y-%m-%d").date()
                when = timezone.make_aware(datetime.combine(day, time(12, 0)))
                current = (match["version"], when, "YANKED" in match["rest"].upper())
        elif current is not None:
            body.append(line)
    close()
    if not found:
        raise ValueError("no dated sections like “## [1.0.0] - 2026-01-31” were found")
    return found, links


def import_changelog(project: Project, text: str) -> list[Outcome]:
    found, links = sections(text)
    outcomes = []
    with bulk.importing():  # old releases: no release alerts
        for section in found:
            if section.yanked:
                outcomes.append(Outcome("skipped", detail=f"{section.version} was yanked"))
                continue
            upstream = UpstreamRelease(
                source="changelog",
                tag=section.version,
                name="",
                notes=section.notes,
                published_at=section.date,
                url=links.get(section.version.lower(), ""),
            )
            outcomes.append(apply(project, upstream))
    return outcomes
