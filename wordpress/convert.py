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
"""

import html
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter, abstract_inline_conversion, chomp

from core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, plain_text
from wordpress import shortcodes
from wordpress.autop import wpautop
from wordpress.media import MediaLibrary
from wordpress.wxr import Attachment

BLOCK_COMMENT = re.compile(r"<!--\s*(/?)wp:([a-z0-9/-]+)(.*?)(/?)\s*-->", re.DOTALL)
MORE = re.compile(r"<!--more(.*?)?-->")
NOTEASER = re.compile(r"<!--noteaser-->")
NEXTPAGE = re.compile(r"<!--nextpage-->")
MORE_MARK = "wpimportmoremarkx"
_PLACEHOLDER = re.compile(r"(?:<p>\s*)?wpimportblock(\d+)x(?:\s*</p>)?")

# SyntaxHighlighter Evolved's shortcodes, and the fence language each one means.
CODE_LANGUAGES = {
    "as3": "actionscript3", "actionscript3": "actionscript3", "bash": "bash",
    "shell": "bash", "coldfusion": "cfm", "cf": "cfm", "clojure": "clojure", "clj": "clojure",
    "cpp": "cpp", "c": "c", "c-sharp": "csharp", "csharp": "csharp", "css": "css",
    "delphi": "delphi", "pas": "pascal", "pascal": "pascal", "diff": "diff", "patch": "diff",
    "erl": "erlang", "erlang": "erlang", "fsharp": "fsharp", "go": "go", "golang": "go",
    "groovy": "groovy", "haskell": "haskell", "java": "java", "jfx": "javafx",
    "javafx": "javafx", "js": "javascript", "jscript": "javascript",
    "javascript": "javascript", "json": "json", "latex": "latex", "tex": "latex",
    "matlab": "matlab", "objc": "objective-c", "obj-c": "objective-c", "perl": "perl",
    "pl": "perl", "php": "php", "plain": "", "text": "", "ps": "powershell",
    "powershell": "powershell", "py": "python", "python": "python", "r": "r", "splus": "r",
    "rails": "ruby", "rb": "ruby", "ror": "ruby", "ruby": "ruby", "rust": "rust",
    "scala": "scala", "sql": "sql", "swift": "swift", "ts": "typescript",
    "typescript": "typescript", "vb": "vbnet", "vbnet": "vbnet", "xml": "xml",
    "xhtml": "html", "xslt": "xml", "html": "html", "yaml": "yaml", "yml": "yaml",
}  # fmt: skip
CODE_SHORTCODES = ["code", "sourcecode", *CODE_LANGUAGES]
MEDIA_SHORTCODES = ["caption", "wp_caption", "gallery", "audio", "video"]
EMBED_SHORTCODES = ["embed", "youtube", "vimeo"]
KNOWN_SHORTCODES = {*CODE_SHORTCODES, *MEDIA_SHORTCODES, *EMBED_SHORTCODES}

# Self-closing blocks WordPress renders from other data at display time: nothing of them
# is in the export, so the reader's page will not have them.
QUIET_DYNAMIC_BLOCKS = {"more", "nextpage", "footnotes", "spacer", "separator"}

AUDIO_EXTENSIONS = {".mp3", ".m4a", ".mp4", ".aac", ".ogg", ".oga", ".opus", ".wav", ".wma"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".bmp"}

# Elements whose content never reaches readers (the sanitizer or CSP would drop them).
DROPPED = [
    "script", "style", "noscript", "form", "input", "button", "select", "textarea",
    "label", "svg", "object", "embed", "template", "canvas", "map", "area",
]  # fmt: skip
BLOCK_IN_CELL = {"p", "ul", "ol", "pre", "table", "blockquote", "div", "figure", "dl", "h1",
                 "h2", "h3", "h4", "h5", "h6", "details", "br", "img"}  # fmt: skip
KEEP_CLASSES = {"gallery", "audio", "video"}


@dataclass
class Context:
    """What a conversion needs to know about the item and the site it came from."""

    post_id: int = 0
    media: MediaLibrary | None = None
    attachments: dict[int, Attachment] = field(default_factory=dict)
    footnotes: str = ""  # the "footnotes" post meta of block-editor posts (JSON)
    audio_rel: str | None = None  # the upload that became the post's audio version
    site_hosts: set[str] = field(default_factory=set)
    warn: Callable[[str, str], None] = lambda kind, message: None


@dataclass
class Converted:
    markdown: str
    excerpt: str  # plain text before <!--more-->, or ""
    unknown_shortcodes: list[str]


def url_extension(url: str) -> str:
    return posixpath.splitext(urlsplit(url).path)[1].lower()


# --- Shortcodes -------------------------------------------------------------------------


class _Blocks:
    """HTML set aside while wpautop runs, put back by placeholder."""

    def __init__(self):
        self.items: list[str] = []

    def keep(self, fragment: str) -> str:
        self.items.append(fragment)
        return f"\n\nwpimportblock{len(self.items) - 1}x\n\n"

    def restore(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self.items[int(m.group(1))], text)


def _code_block(sc: shortcodes.Shortcode) -> str:
    if sc.name in ("code", "sourcecode"):
        language = sc.get("language", "lang", "brush").lower()
        if not language and sc.positional:
            language = sc.positional[0].lower()
        language = CODE_LANGUAGES.get(language, language)
    else:
        language = CODE_LANGUAGES[sc.name]
    code = sc.content or ""
    # The editors store code either as typed or HTML-escaped; escaped code has entities
    # and no raw markup.
    if re.search(r"&(lt|gt|amp|quot|#0?39);", code) and not re.search(r"<[a-zA-Z/]", code):
        code = html.unescape(code)
    code = code.strip("\n")
    css = (
        f' class="language-{html.escape(language)}"' if re.fullmatch(r"[\w+#.-]+", language) else ""
    )
    return f"<pre><code{css}>{html.escape(code, quote=False)}</code></pre>"


def _attr(value: str) -> str:
    return html.escape(value or "", quote=True)


def _caption_figure(sc: shortcodes.Shortcode) -> str:
    content = sc.content or ""
    soup = BeautifulSoup(content, "html.parser")
    img = soup.find("img")
    # The old spelling keeps the caption in an attribute, its markup entity-encoded.
    caption = html.unescape(sc.get("caption"))
    if img is None:
        return content
    media = img.parent if img.parent is not None and img.parent.name == "a" else img
    media_html = str(media)
    if not caption:
        media.extract()
        caption = soup.decode().strip()
    return f"<figure>{media_html}<figcaption>{caption}</figcaption></figure>"


def _audio_url(sc: shortcodes.Shortcode, ctx: Context) -> str:
    url = sc.get("src", "mp3", "m4a", "ogg", "wav", "wma")
    if not url and sc.positional:
        url = sc.positional[0].lstrip("=")
    if not url:  # [audio] alone: the first audio file attached to the post
        for attachment in ctx.attachments.values():
            if (
                attachment.parent == ctx.post_id
                and url_extension(attachment.url) in AUDIO_EXTENSIONS
            ):
                return attachment.url
    return url


def audio_urls(content: str, ctx: Context) -> list[str]:
    """Audio files the content plays: [audio] shortcodes and <audio>/<source> elements."""
    found: list[str] = []

    def _collect(sc):
        if sc.name == "audio":
            found.append(_audio_url(sc, ctx))
        return ""

    shortcodes.replace(content, ["audio"], _collect)
    for m in re.finditer(r"<(?:audio|source)\b[^>]*\bsrc=[\"']([^\"']+)", content):
        found.append(html.unescape(m.group(1)))
    return [url for url in found if url]


def _media_figure(kind: str, url: str) -> str:
    name = posixpath.basename(urlsplit(url).path) or url
    return (
        f'<figure class="{kind}"><{kind} controls src="{_attr(url)}"></{kind}>'
        f'<figcaption><a href="{_attr(url)}">{html.escape(name)}</a></figcaption></figure>'
    )


def _gallery(sc: shortcodes.Shortcode, ctx: Context) -> str:
    ids_attr = sc.get("ids", "include")
    if ids_attr:
        ids = [int(i) for i in re.findall(r"\d+", ids_attr)]
    else:
        ids = sorted(
            pk
            for pk, a in ctx.attachments.items()
            if a.parent == ctx.post_id and url_extension(a.url) in IMAGE_EXTENSIONS
        )
    figures = []
    for pk in ids:
        attachment = ctx.attachments.get(pk)
        if attachment is None:
            ctx.warn("gallery", f"gallery image {pk} is not in the export")
            continue
        img = f'<img src="{_attr(attachment.url)}" alt="{_attr(attachment.alt)}">'
        caption = f"<figcaption>{attachment.caption}</figcaption>" if attachment.caption else ""
        figures.append(f"<figure>{img}{caption}</figure>")
    if not figures:
        ctx.warn("gallery", "a [gallery] shortcode has no images in the export; left out")
        return ""
    return '<div class="gallery">' + "".join(figures) + "</div>"


def _expand_shortcodes(text: str, ctx: Context, blocks: _Blocks) -> str:
    text = shortcodes.replace(text, CODE_SHORTCODES, lambda sc: blocks.keep(_code_block(sc)))
    text = shortcodes.replace(
        text, ["caption", "wp_caption"], lambda sc: blocks.keep(_caption_figure(sc))
    )
    text = shortcodes.replace(text, ["gallery"], lambda sc: blocks.keep(_gallery(sc, ctx)))

    def _audio(sc):
        url = _audio_url(sc, ctx)
        if not url:
            ctx.warn("audio", "an [audio] shortcode names no file; left out")
            return ""
        if ctx.audio_rel and ctx.media and ctx.media.locate(url)[0] == ctx.audio_rel:
            return ""  # it is the post's audio version, played above the text
        return blocks.keep(_media_figure("audio", url))

    def _video(sc):
        url = sc.get("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv")
        if not url and sc.positional:
            url = sc.positional[0].lstrip("=")
        return blocks.keep(_media_figure("video", url)) if url else ""

    def _embed(sc):
        url = (sc.content or "").strip() or sc.get("url", "src")
        if not url and sc.positional:
            url = sc.positional[0].lstrip("=")
        if sc.name == "youtube" and url and not url.startswith("http"):
            url = "https://www.youtube.com/watch?v=" + url
        return blocks.keep(f'<p><a href="{_attr(url)}">{html.escape(url)}</a></p>') if url else ""

    text = shortcodes.replace(text, ["audio"], _audio)
    text = shortcodes.replace(text, ["video"], _video)
    text = shortcodes.replace(text, EMBED_SHORTCODES, _embed)
    return text


# --- HTML to Markdown -------------------------------------------------------------------


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


def _code_language(el: Tag) -> str:
    for node in (el, el.find("code")):
        if not isinstance(node, Tag):
            continue
        for cls in node.get("class") or []:
            for prefix in ("language-", "lang-"):
                if cls.startswith(prefix):
                    return cls[len(prefix) :]
        if node.get("data-lang"):
            return node["data-lang"]
        if node.get("lang") and node.name == "pre":
            return node["lang"]
    brush = re.search(r"brush:\s*([\w+#-]+)", " ".join(el.get("class") or []))
    if brush:
        return CODE_LANGUAGES.get(brush.group(1).lower(), brush.group(1).lower())
    return ""


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
            code_language_callback=_code_language,
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
        attrs = f' title="{_attr(title)}"' if title and tag == "abbr" else ""
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
        language = _code_language(el)
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


def _caption_markup_to_figure(soup: BeautifulSoup, el: Tag):
    """Captions as WordPress wrote them before HTML5 (a <dl> or <div class="wp-caption">
    with the image and a caption paragraph) become figures."""
    img = el.find("img")
    if img is None:
        el.decompose()
        return
    media = img.parent if img.parent is not None and img.parent.name == "a" else img
    caption = el.find(["dd", "p"], class_=re.compile("wp-caption-(dd|text)"))
    figure = soup.new_tag("figure")
    figure.append(media.extract())
    if caption is not None and caption.get_text(strip=True):
        figcaption = soup.new_tag("figcaption")
        figcaption.extend(list(caption.contents))
        figure.append(figcaption)
    el.replace_with(figure)


def _embed_to_link(soup: BeautifulSoup, el: Tag):
    """An embed block (a URL WordPress turns into a player) becomes a link to the URL,
    its caption a paragraph below."""
    wrapper = el.find(class_="wp-block-embed__wrapper") or el
    words = wrapper.get_text(" ", strip=True).split()
    url = words[0] if words and words[0].startswith(("http://", "https://")) else ""
    caption = el.find("figcaption")
    replacement = []
    if url:
        paragraph = soup.new_tag("p")
        link = soup.new_tag("a", href=url)
        link.string = url
        paragraph.append(link)
        replacement.append(paragraph)
    if caption is not None and caption.get_text(strip=True):
        paragraph = soup.new_tag("p")
        paragraph.extend(list(caption.contents))
        replacement.append(paragraph)
    if not replacement:
        el.decompose()
        return
    el.replace_with(*replacement)


def _prepare(soup: BeautifulSoup, ctx: Context):
    """Rewrite upload URLs to the local copies, links to the old site to paths, and drop
    the attributes the sanitizer would strip anyway."""
    if ctx.audio_rel and ctx.media is not None:
        # The post's audio version is played above the text: not twice.
        for el in soup.find_all(["audio", "source"]):
            if ctx.media.locate(el.get("src") or "")[0] == ctx.audio_rel:
                player = el if el.name == "audio" else el.find_parent("audio") or el
                figure = player.find_parent("figure")
                (figure if figure is not None and not figure.find("img") else player).decompose()
    for el in soup.find_all(["dl", "div"], class_="wp-caption"):
        _caption_markup_to_figure(soup, el)
    for el in soup.find_all("figure", class_="wp-block-embed"):
        _embed_to_link(soup, el)
    for el in soup.find_all("a", class_="wp-block-file__button"):
        el.decompose()  # the file block's "Download" button repeats the link before it
    for el in soup.find_all(True):
        if el.decomposed:
            continue
        for attribute in ("src", "href", "poster"):
            url = el.get(attribute)
            if not url:
                continue
            url = url.strip()
            if ctx.media is not None:
                rel, local = ctx.media.localize(url)
                if rel is not None:
                    if local is not None:
                        el[attribute] = local.url
                    else:
                        ctx.warn("missing media", f"{url} is not in the media folder")
                    continue
            parts = urlsplit(url)
            if attribute == "href" and parts.netloc.lower() in ctx.site_hosts:
                # A link to another page of the old site: its path answers with a redirect.
                el[attribute] = (
                    parts.path
                    + (f"?{parts.query}" if parts.query else "")
                    + (f"#{parts.fragment}" if parts.fragment else "")
                    or "/"
                )
        for attribute in ("srcset", "sizes", "style", "id", "target", "rel", "align"):
            el.attrs.pop(attribute, None)
        classes = [c for c in el.get("class") or [] if c in KEEP_CLASSES]
        if el.name in ("pre", "code") and (language := _code_language(el)):
            classes.append(f"language-{language}")
        if el.name == "pre" and "wp-block-verse" in (el.get("class") or []):
            classes.append("wp-block-verse")
        if el.name == "sup" and el.get("data-fn"):
            continue
        if classes:
            el["class"] = classes
        else:
            el.attrs.pop("class", None)
        for attribute in [a for a in el.attrs if a.startswith("data-")]:
            del el[attribute]


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def _tidy(markdown: str) -> str:
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

    blocks = _Blocks()
    text = _expand_shortcodes(text, ctx, blocks)
    unknown = shortcodes.unknown(text, KNOWN_SHORTCODES)
    for name in unknown:
        ctx.warn(
            "unknown shortcode", f"[{name}] is not a shortcode this importer knows; kept as text"
        )
    if not is_blocks:
        text = wpautop(text)
    text = blocks.restore(text)

    soup = BeautifulSoup(text, "html.parser")
    _prepare(soup, ctx)
    footnotes = _footnote_map(ctx.footnotes)
    converter = WordPressConverter(ctx, footnotes)
    markdown = _tidy(converter.convert_soup(soup))

    used = [note for key, note in footnotes.items() if key in converter.used_footnotes]
    if used:
        definitions = []
        for number, note_html in sorted(used):
            note_soup = BeautifulSoup(note_html, "html.parser")
            _prepare(note_soup, ctx)
            note_md = WordPressConverter(ctx, {}).convert_soup(note_soup).strip()
            definitions.append(f"[^{number}]: " + re.sub(r"\s*\n\s*", " ", note_md))
        markdown = markdown.rstrip("\n") + "\n\n" + "\n".join(definitions) + "\n"

    excerpt = ""
    if has_more:
        before, mark, after = markdown.partition(MORE_MARK)
        if mark:
            excerpt = plain_text(before)
            markdown = _tidy(before.rstrip() + "\n\n" + after.lstrip())
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
