"""markdownify taught WordPress's markup: the Markdown this site's editor writes (ATX
headings, `-` bullets, fenced code), inline HTML for what Markdown cannot say (<sup>,
<kbd>, <abbr>…), raw HTML blocks, sanitized as the rendered page is, for figures with
captions, complex tables and details; iframes become links and what the sanitizer would
remove anyway (scripts, forms, styles) is dropped."""

import html
import re
from urllib.parse import urlsplit

import nh3
from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter, abstract_inline_conversion, chomp

from core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES
from wordpress.convert.code_blocks import code_language
from wordpress.convert.context import Context

# Elements whose content never reaches readers (the sanitizer or CSP would drop them).
DROPPED = [
    "script", "style", "noscript", "form", "input", "button", "select", "textarea",
    "label", "svg", "object", "embed", "template", "canvas", "map", "area",
]  # fmt: skip
BLOCK_IN_CELL = {"p", "ul", "ol", "pre", "table", "blockquote", "div", "figure", "dl", "h1",
                 "h2", "h3", "h4", "h5", "h6", "details", "br", "img"}  # fmt: skip


def _escape_markdown(text: str, in_cell: bool) -> str:
    """Backslash what Markdown would read as syntax, and only that (no `\\=` noise)."""
    text = re.sub(r"\\(?=[!-/:-@\[-`{-~])", r"\\\\", text)
    text = text.replace("*", r"\*").replace("`", r"\`")
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\_", text)
    text = re.sub(r"<(?=[A-Za-z/!?])", r"\<", text)
    text = re.sub(r"&(?=#?\w+;)", r"\&", text)
    text = text.replace("~~", r"\~\~")
    if "](" in text or "][" in text:
        text = text.replace("[", r"\[")
    text = re.sub(r"^([ \t]*)([-+]|#{1,6}|>|=+)(?=\s|$)", r"\1\\\2", text, flags=re.MULTILINE)
    text = re.sub(r"^([ \t]*\d{1,9})([.)])(?=\s|$)", r"\1\\\2", text, flags=re.MULTILINE)
    if in_cell:
        text = text.replace("|", r"\|")
    return text


def _sanitize_fragment(fragment: str) -> str:
    """HTML for a raw block: sanitized like the rendered page, on consecutive lines (a blank
    line would end the HTML block in Markdown)."""
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    if "<pre" not in cleaned:  # one row, term or item a line, for whoever edits it
        cleaned = re.sub(
            r"(</(?:tr|thead|tbody|tfoot|caption|dt|dd|li|summary|p)>)", r"\1\n", cleaned
        )
    lines = [line.strip() for line in cleaned.splitlines()]
    return "\n".join(line for line in lines if line)


class WordPressConverter(MarkdownConverter):
    """markdownify with the choices this site wants and WordPress's markup understood."""

    def __init__(self, ctx: Context, footnotes: dict, **options):
        super().__init__(
            heading_style="atx",
            bullets="-",
            newline_style="backslash",
            strong_em_symbol="*",
            table_infer_header=True,
            code_language_callback=code_language,
            **options,
        )
        self.ctx = ctx
        self.footnotes = footnotes
        self.used_footnotes: set[str] = set()

    # Text

    def escape(self, text, parent_tags):
        if not text:
            return ""
        return _escape_markdown(text, in_cell=bool({"td", "th"} & parent_tags))

    def _raw_block(self, el: Tag) -> str:
        html_ = _sanitize_fragment(str(el))
        return f"\n\n{html_}\n\n" if html_ else ""

    def _inline_html(self, tag: str, el: Tag, text: str) -> str:
        prefix, suffix, text = chomp(text)
        if not text:
            return ""
        title = el.get("title")
        attrs = f' title="{html.escape(title, quote=True)}"' if title and tag == "abbr" else ""
        return f"{prefix}<{tag}{attrs}>{text}</{tag}>{suffix}"

    convert_sub = abstract_inline_conversion(lambda self: "<sub>")
    convert_u = abstract_inline_conversion(lambda self: "<u>")
    convert_mark = abstract_inline_conversion(lambda self: "<mark>")
    convert_kbd = abstract_inline_conversion(lambda self: "<kbd>")
    convert_cite = abstract_inline_conversion(lambda self: "<cite>")
    convert_ins = abstract_inline_conversion(lambda self: "<ins>")
    convert_small = abstract_inline_conversion(lambda self: "<small>")
    convert_var = abstract_inline_conversion(lambda self: "<var>")
    convert_samp = abstract_inline_conversion(lambda self: "<samp>")

    def convert_sup(self, el, text, parent_tags):
        note = self.footnotes.get(el.get("data-fn") or "")
        if note:
            self.used_footnotes.add(el["data-fn"])
            return f"[^{note[0]}]"
        return self._inline_html("sup", el, text)

    def convert_abbr(self, el, text, parent_tags):
        return self._inline_html("abbr", el, text)

    convert_acronym = convert_abbr

    def convert_q(self, el, text, parent_tags):
        return self._inline_html("q", el, text)

    convert_strike = MarkdownConverter.convert_del
    convert_tt = MarkdownConverter.convert_code

    def convert_span(self, el, text, parent_tags):
        return text

    # Links and media

    def convert_a(self, el, text, parent_tags):
        href = (el.get("href") or "").strip()
        if href.lower().startswith(("javascript:", "data:", "vbscript:")):
            el.attrs.pop("href", None)
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el, text, parent_tags):
        src = (el.get("src") or "").strip()
        if not src:
            return ""
        alt = re.sub(r"\s+", " ", el.get("alt") or "").replace("[", r"\[").replace("]", r"\]")
        title = el.get("title") or ""
        if re.search(r"[\s()<>]", src):
            src = f"<{src}>"
        title_part = ' "' + title.replace('"', r"\"") + '"' if title else ""
        return f"![{alt}]({src}{title_part})"

    @staticmethod
    def _playable(el: Tag) -> bool:
        sources = [el.get("src") or ""] + [s.get("src") or "" for s in el.find_all("source")]
        return any(src.startswith(("https://", "http://", "/")) for src in sources)

    def convert_audio(self, el, text, parent_tags):
        if not self._playable(el):
            return ""
        figure = BeautifulSoup("", "html.parser").new_tag("figure", attrs={"class": "audio"})
        figure.append(el.__copy__())
        return self._raw_block(figure)

    def convert_video(self, el, text, parent_tags):
        if not self._playable(el):
            return ""
        figure = BeautifulSoup("", "html.parser").new_tag("figure", attrs={"class": "video"})
        figure.append(el.__copy__())
        return self._raw_block(figure)

    def convert_iframe(self, el, text, parent_tags):
        src = (el.get("src") or "").strip()
        if not src.startswith(("http://", "https://", "//")):
            return ""
        if src.startswith("//"):
            src = "https:" + src
        youtube = re.match(r"https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)", src)
        if youtube:
            src = f"https://www.youtube.com/watch?v={youtube.group(1)}"
        label = el.get("title") or urlsplit(src).netloc
        return f"\n\n[{_escape_markdown(label, False)}]({src})\n\n"

    def convert_figure(self, el, text, parent_tags):
        if el.find("table") is not None:
            caption = el.find("figcaption", recursive=False)
            if caption is not None:  # printed in italics below the table
                caption_md = self.process_tag(caption, parent_tags=set()).strip()
                table_md = text.strip().removesuffix(caption_md).rstrip()
                return f"\n\n{table_md}\n\n*{caption_md}*\n\n" if caption_md else table_md
            return "\n\n" + text.strip() + "\n\n"
        has_media = el.find(["img", "audio", "video"]) is not None
        caption = el.find("figcaption")
        if has_media and caption is not None and caption.get_text(strip=True):
            return self._raw_block(el)
        return "\n\n" + text.strip() + "\n\n"

    def convert_figcaption(self, el, text, parent_tags):
        text = text.strip()
        return f"\n\n{text}\n\n" if text else ""

    # Blocks

    def convert_p(self, el, text, parent_tags):
        stripped = text.strip()
        if re.fullmatch(r"https?://[^\s<>]+", stripped.replace("\\", "")) and not el.find("a"):
            return f"\n\n<{stripped.replace(chr(92), '')}>\n\n"
        return super().convert_p(el, text, parent_tags)

    def convert_pre(self, el, text, parent_tags):
        classes = set(el.get("class") or [])
        if "wp-block-verse" in classes:
            lines = [_escape_markdown(line.rstrip(), False) for line in el.get_text().split("\n")]
            body = "\\\n".join(line for line in lines if line.strip())
            return f"\n\n{body}\n\n" if body else ""
        if not text:
            return ""
        code = el.get_text().strip("\n")
        language = code_language(el)
        longest = max((len(m) for m in re.findall(r"`{3,}", code)), default=2)
        fence = "`" * (longest + 1)
        return f"\n\n{fence}{language}\n{code}\n{fence}\n\n"

    def convert_table(self, el, text, parent_tags):
        complex_table = (
            el.find("caption") is not None
            or el.find(["td", "th"], attrs={"colspan": re.compile(r"^(?!1$)")}) is not None
            or el.find(["td", "th"], attrs={"rowspan": re.compile(r"^(?!1$)")}) is not None
            or el.find("table") is not None
            or el.find("tfoot") is not None
            or any(cell.find(BLOCK_IN_CELL) for cell in el.find_all(["td", "th"]))
            or not el.find("tr")
            or any(row.find("th") for row in el.find_all("tr")[1:])
        )
        if complex_table:
            return self._raw_block(el)
        return super().convert_table(el, text, parent_tags)

    def convert_dl(self, el, text, parent_tags):
        return self._raw_block(el)

    def convert_details(self, el, text, parent_tags):
        return self._raw_block(el)

    def convert_div(self, el, text, parent_tags):
        if "gallery" in (el.get("class") or []) and el.find("figure") is not None:
            return self._raw_block(el)
        return super().convert_div(el, text, parent_tags)

    def get_conv_fn(self, tag_name):
        if tag_name.lower() in DROPPED:
            return lambda el, text, parent_tags: ""
        return super().get_conv_fn(tag_name)
