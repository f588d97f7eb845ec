"""WordPress post content (HTML, shortcodes, Gutenberg blocks) to Markdown the author can
keep editing.

The steps, in WordPress's own order:

1. Gutenberg block comments (`<!-- wp:paragraph -->`) are dropped; their content stays.
2. `<!--more-->` is marked (the text before it becomes the excerpt); `<!--nextpage-->`
   becomes a horizontal rule, since this site shows a post on one page.
3. Shortcodes are expanded: `[code]`, `[sourcecode]` and the language shortcodes of
   SyntaxHighlighter (`[python]…[/python]`) to fenced code blocks with the language;
   `[caption]` to a figure with its caption; `[gallery]` to the attachment images;
   `[audio]`, `[video]` and `[embed]` to a player or a link. Unknown shortcodes stay as
   visible text and are reported.
4. Classic-editor content gets its paragraphs (`wpautop`, ported).
5. markdownify turns the HTML into Markdown. What Markdown cannot say and the sanitizer
   allows (figures with captions, <sup>, <kbd>, <details>, tables with merged cells…) stays
   as inline HTML; what the sanitizer would remove (iframes, scripts, forms, styles) is
   turned into a link or dropped. Upload URLs are rewritten to the copies in this site's
   media (see media.py).

This module runs the steps in order. Step 3 is shortcode_html; step 5 is prepare_html
(the HTML made ready), converter (markdownify) and tidy_markdown; code_blocks and context
serve them all.
"""

import json
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup

from core.markdown import plain_text
from wordpress import shortcodes
from wordpress.autop import wpautop
from wordpress.convert.context import Context
from wordpress.convert.converter import WordPressConverter
from wordpress.convert.prepare_html import prepare
from wordpress.convert.shortcode_html import KNOWN_SHORTCODES, Blocks, expand_shortcodes
from wordpress.convert.tidy_markdown import tidy

__all__ = ["Context", "Converted", "html_to_text", "to_markdown"]

BLOCK_COMMENT = re.compile(r"<!--\s*(/?)wp:([a-z0-9/-]+)(.*?)(/?)\s*-->", re.DOTALL)
MORE = re.compile(r"<!--more(.*?)?-->")
NOTEASER = re.compile(r"<!--noteaser-->")
NEXTPAGE = re.compile(r"<!--nextpage-->")
MORE_MARK = "wpimportmoremarkx"

# Self-closing blocks WordPress renders from other data at display time: nothing of them
# is in the export, so the reader's page will not have them.
QUIET_DYNAMIC_BLOCKS = {"more", "nextpage", "footnotes", "spacer", "separator"}


@dataclass
class Converted:
    markdown: str
    excerpt: str  # plain text before <!--more-->, or ""
    unknown_shortcodes: list[str]


def _footnote_map(raw: str) -> dict[str, tuple[int, str]]:
    try:
        notes = json.loads(raw) if raw else []
    except ValueError:
        return {}
    if not isinstance(notes, list):
        return {}
    result = {}
    for number, note in enumerate(notes, start=1):
        if isinstance(note, dict) and note.get("id"):
            result[str(note["id"])] = (number, str(note.get("content", "")))
    return result


def _report_dynamic_blocks(raw: str, ctx: Context):
    seen = set()
    for m in BLOCK_COMMENT.finditer(raw):
        closing, name, self_closing = m.group(1), m.group(2), m.group(4)
        name = name.removeprefix("core/")
        if self_closing and not closing and name not in QUIET_DYNAMIC_BLOCKS and name not in seen:
            seen.add(name)
            ctx.warn(
                "dynamic block",
                f"the “{name}” block is drawn by WordPress when the page is shown; "
                "there is nothing of it in the export",
            )


def to_markdown(content: str, ctx: Context) -> Converted:
    """Convert one post's content. Warnings go to ctx.warn."""
    text = (content or "").replace("\r\n", "\n").replace("\r", "\n")
    is_blocks = "<!-- wp:" in text
    if is_blocks:
        _report_dynamic_blocks(text, ctx)
    text = BLOCK_COMMENT.sub("", text)

    has_more = False
    more = MORE.search(text)
    if more:
        has_more = True
        text = text[: more.start()] + f"\n\n{MORE_MARK}\n\n" + text[more.end() :]
        text = MORE.sub("", text)
    text = NOTEASER.sub("", text)
    text = NEXTPAGE.sub("\n\n<hr>\n\n", text)

    blocks = Blocks()
    text = expand_shortcodes(text, ctx, blocks)
    unknown = shortcodes.unknown(text, KNOWN_SHORTCODES)
    for name in unknown:
        ctx.warn(
            "unknown shortcode", f"[{name}] is not a shortcode this importer knows; kept as text"
        )
    if not is_blocks:
        text = wpautop(text)
    text = blocks.restore(text)

    soup = BeautifulSoup(text, "html.parser")
    prepare(soup, ctx)
    footnotes = _footnote_map(ctx.footnotes)
    converter = WordPressConverter(ctx, footnotes)
    markdown = tidy(converter.convert_soup(soup))

    used = [note for key, note in footnotes.items() if key in converter.used_footnotes]
    if used:
        definitions = []
        for number, note_html in sorted(used):
            note_soup = BeautifulSoup(note_html, "html.parser")
            prepare(note_soup, ctx)
            note_md = WordPressConverter(ctx, {}).convert_soup(note_soup).strip()
            definitions.append(f"[^{number}]: " + re.sub(r"\s*\n\s*", " ", note_md))
        markdown = markdown.rstrip("\n") + "\n\n" + "\n".join(definitions) + "\n"

    excerpt = ""
    if has_more:
        before, mark, after = markdown.partition(MORE_MARK)
        if mark:
            excerpt = plain_text(before)
            markdown = tidy(before.rstrip() + "\n\n" + after.lstrip())
    return Converted(markdown=markdown, excerpt=excerpt, unknown_shortcodes=unknown)


def html_to_text(fragment: str) -> str:
    """Plain text of a small HTML fragment (an excerpt), shortcodes left out."""
    if not fragment or not fragment.strip():
        return ""
    fragment = BLOCK_COMMENT.sub("", fragment)
    fragment = shortcodes.replace(fragment, sorted(KNOWN_SHORTCODES), lambda sc: "")
    # Blocks and line breaks separate words; inline markup does not.
    fragment = re.sub(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|td|th|dd|dt)>", " ", fragment)
    text = BeautifulSoup(fragment, "html.parser").get_text()
    return re.sub(r"\s+", " ", text).strip()
