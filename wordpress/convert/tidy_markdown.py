"""The Markdown markdownify wrote, tidied the way an author would leave it."""

import re

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def tidy(markdown: str) -> str:
    """Trailing spaces, paragraphs of a lone non-breaking space (WordPress's "empty line"),
    runs of blank lines and line breaks that end a paragraph (where Markdown would print
    the backslash) go; fenced code is left exactly as it is."""
    lines: list[tuple[str, bool]] = []  # (line, inside fenced code)
    fence = None
    for line in markdown.split("\n"):
        match = _FENCE.match(line)
        if fence:
            lines.append((line, True))
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            lines.append((line, True))
            continue
        line = line.rstrip()
        lines.append(("" if not line.replace("\u00a0", "").strip() else line, False))
    result: list[str] = []
    for i, (line, code) in enumerate(lines):
        if not code:
            if not line and (not result or not result[-1]):
                continue  # one blank line between blocks is enough
            next_blank = i + 1 == len(lines) or not lines[i + 1][0].strip()
            if next_blank and line.endswith("\\") and not line.endswith("\\\\"):
                line = line[:-1].rstrip()
        result.append(line)
    text = "\n".join(result).strip("\n")
    return text + "\n" if text else ""
