"""A release as a source describes it, and the conversions every source shares: the
version from a tag, the notes as Markdown, the summary from the notes."""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.utils.text import slugify
from markdownify import markdownify
from packaging.version import InvalidVersion, Version

from core.plaintext import markdown_to_text

SUMMARY_MAX = 300


@dataclass(frozen=True)
class UpstreamRelease:
    source: str  # github, gitlab, pypi, npm, changelog
    tag: str  # as upstream names it: "v0.10.0"
    name: str  # upstream's title, may be empty
    notes: str  # Markdown (converted from HTML by the source when needed)
    published_at: datetime
    url: str  # the tag's or the package version's page
    prerelease: bool = False


def version_from_tag(tag: str, prefix: str = "v") -> str:
    """`v0.10.0` → `0.10.0` (the project's prefix taken off, then a lone "v"). A tag that
    is no version at all ("nightly build 5") becomes a safe slug for the URL."""
    version = tag.strip()
    if prefix and version.startswith(prefix):
        version = version[len(prefix) :]
    if version[:1] in "vV" and version[1:2].isdigit():
        version = version[1:]
    try:
        Version(version)
    except InvalidVersion:
        return slugify(version)[:50] or "release"
    return version[:50]


def is_prerelease(version: str) -> bool:
    """PEP 440 pre-releases (1.0b2, 2.0rc1) and semver ones (1.0.0-rc.1)."""
    if "-" in version:
        return True
    try:
        return Version(version).is_prerelease
    except InvalidVersion:
        return False


def html_to_markdown(html: str) -> str:
    return markdownify(html, heading_style="ATX", bullets="-").strip()


# A bare address, as GitHub-flavoured Markdown links it (CommonMark needs <…> around it).
BARE_URL = re.compile(r"(?<![(<\[\w/\"'=])https?://[^\s<>()\[\]`]+[^\s<>()\[\]`.,;:!?'\"]")
INLINE_CODE = re.compile(r"`[^`]*`")


def _autolink(line: str) -> str:
    pieces = INLINE_CODE.split(line)
    codes = INLINE_CODE.findall(line)
    linked = [BARE_URL.sub(lambda m: f"<{m.group(0)}>", piece) for piece in pieces]
    return "".join(p + (codes[i] if i < len(codes) else "") for i, p in enumerate(linked))


def clean_notes(markdown: str) -> str:
    """GitHub-flavoured Markdown made CommonMark for our renderer: LF line ends (GitHub
    sends CRLF) and bare addresses linked, outside code."""
    lines, fenced = [], False
    for line in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        lines.append(line if fenced or line.startswith("    ") else _autolink(line))
    return "\n".join(lines).strip()


FULL_CHANGELOG = re.compile(r"^\*\*Full Changelog\*\*", re.I)


def summary_from_notes(notes: str, version: str) -> str:
    """The notes' first paragraph as plain text, for the release card; "Version X" when the
    notes start with a heading, a list or nothing."""
    for block in re.split(r"\n\s*\n", notes.strip()):
        block = block.strip()
        if not block or block.startswith(("#", "-", "*", "+", ">", "|", "```", "<")):
            continue
        if FULL_CHANGELOG.match(block) or re.match(r"^\d+\.", block):
            continue
        text = " ".join(markdown_to_text(block, "").split())
        if text:
            return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "…"
    return f"Version {version}."


def content_hash(title: str, summary: str, notes: str) -> str:
    """What the import wrote, so an edit made here is told from none."""
    return hashlib.sha256("\x00".join([title, summary, notes]).encode()).hexdigest()
