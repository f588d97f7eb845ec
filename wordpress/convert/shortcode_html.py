"""Shortcodes expanded to the HTML WordPress would have shown: code to code blocks,
[caption] to a figure with its caption, [gallery] to the attachment images, [audio],
[video] and the embeds to a player or a link.

The HTML they make is set aside (Blocks) while wpautop adds paragraphs to the rest, so
that code and figures come through exactly as made.
"""

import html
import posixpath
import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from wordpress import shortcodes
from wordpress.convert.code_blocks import CODE_SHORTCODES, code_block
from wordpress.convert.context import AUDIO_EXTENSIONS, IMAGE_EXTENSIONS, Context, url_extension

MEDIA_SHORTCODES = ["caption", "wp_caption", "gallery", "audio", "video"]
EMBED_SHORTCODES = ["embed", "youtube", "vimeo"]
KNOWN_SHORTCODES = {*CODE_SHORTCODES, *MEDIA_SHORTCODES, *EMBED_SHORTCODES}

_PLACEHOLDER = re.compile(r"(?:<p>\s*)?wpimportblock(\d+)x(?:\s*</p>)?")


class Blocks:
    """HTML set aside while wpautop runs, put back by placeholder."""

    def __init__(self):
        self.items: list[str] = []

    def keep(self, fragment: str) -> str:
        self.items.append(fragment)
        return f"\n\nwpimportblock{len(self.items) - 1}x\n\n"

    def restore(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self.items[int(m.group(1))], text)


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


def expand_shortcodes(text: str, ctx: Context, blocks: Blocks) -> str:
    text = shortcodes.replace(text, CODE_SHORTCODES, lambda sc: blocks.keep(code_block(sc)))
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
