"""The folder format of the Markdown export: the author's writing as plain files,
Markdown with front matter, plus media; how one such file is written and read.

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
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings

FORMAT_VERSION = 1


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


def iso_date(value: datetime) -> str:
    return value.isoformat()


def parse_date(value: str) -> datetime:
    return datetime.fromisoformat(value)


def media_names(text: str) -> set[str]:
    """Names in storage of the media files a text links to (by MEDIA_URL)."""
    pattern = re.escape(settings.MEDIA_URL) + r"([^\s)\"'<>\]]+)"
    return {unquote(m.group(1)) for m in re.finditer(pattern, text or "")}
