"""Markdown as plain text, for the text part of emails.

Built from the token tree of the site's own Markdown parser (core.markdown), so it reads
the same document the HTML part shows, and no Markdown syntax is left over:

- a link is its text followed by its absolute address in parentheses, `the new post
  (https://example.com/posts/…)`, which every mail client makes clickable where it
  stands; a bare address is shown once; only http, https and mailto addresses appear;
- an image is its alt text (nothing, when it has none);
- headings are lines of their own (the top two levels underlined with a rule), list items
  start with a bullet or their number, task items with ☐ or ☑, quotes with a bar, code
  blocks are indented four spaces with their lines kept, table cells are lined up in
  columns, footnotes are [1] marks with their texts at the end;
- raw HTML gives its text, never its tags; a paragraph's line breaks become spaces,
  so mail clients wrap it to their width.
"""

import html
import re
from urllib.parse import urljoin, urlsplit

import nh3
from markdown_it.tree import SyntaxTreeNode

from core.markdown import URL_SCHEMES
from core.markdown import _md as markdown_parser

INDENT = "    "
RULE = "─"
_SPACES = re.compile(r"[ \t]+")


def markdown_to_text(text: str, base_url: str) -> str:
    """The plain text of a Markdown document, links made absolute against `base_url`."""
    if not text or not text.strip():
        return ""
    env: dict = {}
    tree = SyntaxTreeNode(markdown_parser.parse(text, env))
    renderer = _Renderer(base_url)
    return renderer.blocks(tree.children).strip("\n") + "\n"


def absolute_link(href: str, base_url: str) -> str:
    """`href` resolved against `base_url`; "" for a scheme mail clients should not show."""
    url = urljoin(base_url, (href or "").strip())
    return url if urlsplit(url).scheme.lower() in URL_SCHEMES else ""


class _Renderer:
    def __init__(self, base_url: str):
        self.base_url = base_url

    # --- Blocks: each returns its text, paragraphs separated by one blank line ----------

    def blocks(self, nodes) -> str:
        parts = [self.block(node) for node in nodes]
        return "\n\n".join(part for part in parts if part.strip())

    def block(self, node) -> str:
        kind = node.type
        if kind == "paragraph":
            return self.inline_of(node)
        if kind == "heading":
            title = self.inline_of(node)
            return f"{title}\n{RULE * len(title)}" if node.tag in ("h1", "h2") else title
        if kind in ("bullet_list", "ordered_list"):
            return self.list(node)
        if kind == "blockquote":
            return _prefix(self.blocks(node.children), "│ ")
        if kind in ("fence", "code_block"):
            return _prefix(node.content.rstrip("\n"), INDENT)
        if kind == "hr":
            return RULE * 3
        if kind == "table":
            return self.table(node)
        if kind == "html_block":
            return _html_text(node.content)
        if kind == "footnote_block":
            return self.footnotes(node)
        return self.blocks(node.children)

    def list(self, node) -> str:
        number = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else None
        # A tight list (no blank lines between items in the source) stays tight.
        tight = all(p.hidden for item in node.children for p in item.children
                    if p.type == "paragraph")  # fmt: skip
        separator = "\n" if tight else "\n\n"
        items = []
        for item in node.children:
            marker = f"{number}. " if number is not None else "• "
            parts = [self.block(child) for child in item.children]
            body = separator.join(part for part in parts if part.strip())
            items.append(marker + _prefix(body, " " * len(marker)).lstrip(" "))
            if number is not None:
                number += 1
        return separator.join(items)

    def table(self, node) -> str:
        rows = [
            [self.inline_of(cell) for cell in row.children]
            for section in node.children
            for row in section.children
        ]
        if not rows:
            return ""
        widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
                 for row in rows]  # fmt: skip
        has_head = node.children[0].type == "thead"
        if has_head:
            lines.insert(1, "  ".join(RULE * width for width in widths))
        return "\n".join(lines)

    def footnotes(self, node) -> str:
        notes = []
        for footnote in node.children:
            number = footnote.meta["id"] + 1
            body = self.blocks(c for c in footnote.children if c.type != "footnote_anchor")
            notes.append(f"[{number}] " + _prefix(body, INDENT).lstrip(" "))
        return "\n".join(notes)

    # --- Inline text ----------------------------------------------------------------------

    def inline_of(self, node) -> str:
        inline = node.children[0] if node.children and node.children[0].type == "inline" else node
        lines = self.inline(inline.children).split("\n")
        return "\n".join(_SPACES.sub(" ", line).strip() for line in lines).strip()

    def inline(self, nodes) -> str:
        return "".join(self.span(node) for node in nodes)

    def span(self, node) -> str:
        kind = node.type
        if kind in ("text", "code_inline"):
            return node.content
        if kind == "softbreak":
            return " "
        if kind == "hardbreak":
            return "\n"
        if kind == "image":
            return self.inline(node.children)  # the alt text
        if kind == "link":
            return self.link(node)
        if kind == "html_inline":
            return self.html_inline(node.content)
        if kind == "footnote_ref":
            return f"[{node.meta['id'] + 1}]"
        return self.inline(node.children)  # em, strong, s and the like: just their text

    def link(self, node) -> str:
        label = self.inline(node.children).strip()
        url = absolute_link(node.attrs.get("href", ""), self.base_url)
        if not url:
            return label
        shown = url.removeprefix("mailto:") if url.startswith("mailto:") else url
        if not label or label in (shown, url, node.attrs.get("href")):
            return shown
        return f"{label} ({shown})"

    @staticmethod
    def html_inline(tag: str) -> str:
        lowered = tag.lower()
        if lowered.startswith("<input") and "checkbox" in lowered:  # a task-list item
            return "☑" if "checked" in lowered else "☐"
        if lowered.startswith("<br"):
            return "\n"
        return _html_text(tag)


def _html_text(fragment: str) -> str:
    """The text of raw HTML: tags dropped, scripts and styles with their content."""
    return html.unescape(nh3.clean(fragment, tags=set())).strip()


def _prefix(text: str, prefix: str) -> str:
    return "\n".join(
        (prefix + line).rstrip() if line else prefix.rstrip() for line in text.split("\n")
    )
