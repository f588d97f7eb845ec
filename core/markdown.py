"""The one Markdown renderer: stored HTML, the admin's live preview and emails all use it.

markdown-it-py (CommonMark) with tables, strikethrough, footnotes, task lists and heading
anchors; Pygments highlights fenced code with CSS classes (no inline styles, so the strict
Content Security Policy holds); nh3 sanitizes the result, so raw HTML in a body can format
but never script.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_formatter = HtmlFormatter(cssclass="highlight", nowrap=True)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "input", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul", "var", "audio", "video", "source", "picture",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "pre": {"tabindex"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes"},
    "input": {"type", "checked", "disabled"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "source": {"src", "type", "srcset", "media"},
    "details": {"open"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _highlight(code: str, lang: str, _attrs) -> str:
    """Highlight a fenced block; unknown or missing languages stay plain (but escaped)."""
    try:
        lexer = get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        lexer = None
    # Returning a string that starts with <pre makes markdown-it use it as the whole block.
    lang_class = f' class="language-{html.escape(lang)}"' if lang else ""
    body = html.escape(code) if lexer is None else highlight(code, lexer, _formatter)
    # tabindex: a code block wider than the screen scrolls, and keyboard users must be
    # able to reach it to scroll it.
    return f'<pre class="highlight" tabindex="0"><code{lang_class}>{body}</code></pre>\n'


def _aligned_cell(self, tokens, idx, options, env):
    # markdown-it writes column alignment as style="text-align:…"; inline styles are both
    # stripped by the sanitizer and blocked by the CSP, so say it with a class instead.
    token = tokens[idx]
    style = token.attrs.pop("style", "")
    if style.startswith("text-align:"):
        token.attrJoin("class", "align-" + style.removeprefix("text-align:"))
    return self.renderToken(tokens, idx, options, env)


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"highlight": _highlight, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("th_open", _aligned_cell)
    md.add_render_rule("td_open", _aligned_cell)
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, permalink=False)
    return md


_md = _build()


def _attribute_filter(tag, attribute, value):
    # Task-list checkboxes are the only inputs a body may carry.
    if tag == "input" and attribute == "type" and value != "checkbox":
        return None
    if attribute == "srcset":
        return safe_srcset(value)
    return value


# srcset: "url [descriptor], url [descriptor], …" (HTML's "parse a srcset attribute"): a URL
# is a run of non-space characters (commas at its end end the candidate); descriptors like
# 1x, 1.5x, 480w follow up to the next comma.
_SRCSET_CANDIDATE = re.compile(
    r"[\s,]*(?P<url>[^\s,][^\s]*?)(?:,+(?=\s|$)|,*$|\s+(?P<descriptors>[^,]*))"
)
_DESCRIPTOR = re.compile(r"(?:\d+w|\d+h|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?x)")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# What a browser's URL parser drops before reading a scheme: tabs, newlines, C0 controls.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")


def is_safe_url(url: str) -> bool:
    """A URL nh3 would keep in `src`: relative, or with a scheme in URL_SCHEMES."""
    match = _SCHEME.match(_URL_NOISE.sub("", url))
    return match is None or match.group(1).lower() in URL_SCHEMES - {"mailto"}


def safe_srcset(value: str) -> str | None:
    """`srcset` with only the candidates whose URL is safe (as `src` is filtered) and whose
    descriptors are valid; None, so the attribute is dropped, when none is left.

    nh3 filters the URL schemes of `src` and `href` but leaves `srcset` as it is."""
    kept = []
    for match in _SRCSET_CANDIDATE.finditer(value):
        url, descriptors = match.group("url"), (match.group("descriptors") or "").split()
        if not is_safe_url(url) or not all(_DESCRIPTOR.fullmatch(d) for d in descriptors):
            continue
        kept.append(" ".join([url, *descriptors]))
    return ", ".join(kept) or None


def render_markdown(text: str) -> str:
    """Render Markdown to sanitized HTML. The same function backs the admin preview."""
    if not text:
        return ""
    raw = _md.render(text)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


_WS = re.compile(r"\s+")


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def _text_of(html_fragment: str) -> str:
    return _WS.sub(" ", html.unescape(nh3.clean(html_fragment, tags=set()))).strip()


def html_to_text(html_fragment: str) -> str:
    """The readable text of (sanitized) HTML, whitespace collapsed: for search and excerpts.
    Block boundaries become spaces, so words of adjacent paragraphs never run together."""
    return _text_of(_BLOCK_END.sub(" ", html_fragment or ""))


_BLOCK_END = re.compile(r"(?=<(?:/p|/li|/h[1-6]|br|/td|/th|/pre|/blockquote|/div)\b)")


def first_paragraph_text(text: str, limit: int = 300) -> str:
    """The first paragraph of a Markdown text as plain text, cut at a word near `limit`.

    Taken from the sanitized HTML, so markup and anything the sanitizer drops (a script's
    content, say) never reach an excerpt."""
    for match in _PARAGRAPH.finditer(render_markdown(text)):
        plain = _text_of(match.group(1))
        if plain:
            return truncate_words(plain, limit)
    return ""


def truncate_words(text: str, limit: int) -> str:
    """Cut `text` at the last word boundary before `limit` characters, adding an ellipsis."""
    text = _WS.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return cut + "…"


def plain_text(text: str) -> str:
    """All the readable text of a Markdown document, for word counts and search."""
    return _text_of(render_markdown(text))


def word_count(text: str) -> int:
    return len(plain_text(text).split())
