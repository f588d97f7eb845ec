"""The post's HTML made ready for markdownify: upload URLs point at the local copies,
links to the old site become paths (which redirect), the caption markup of older
WordPress and embed blocks become figures and links, the post's audio version is taken
out (it is played above the text), and the attributes the sanitizer would strip go."""

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from wordpress.convert.code_blocks import code_language
from wordpress.convert.context import Context

KEEP_CLASSES = {"gallery", "audio", "video"}


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


def prepare(soup: BeautifulSoup, ctx: Context):
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
        if el.name in ("pre", "code") and (language := code_language(el)):
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
