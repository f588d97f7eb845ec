"""A post's own media, found in the copy of the old site's uploads: its audio version and
its cover (WordPress's featured image). A file that is missing, or is not audio or an
image this site can publish, is reported and left out; the post comes in without it."""

from django.core.exceptions import ValidationError
from django.core.files import File
from PIL import Image

from blog.audio import read_audio
from wordpress.convert.context import AUDIO_EXTENSIONS, Context, url_extension
from wordpress.convert.shortcode_html import audio_urls
from wordpress.media import LocalFile, MediaLibrary
from wordpress.wxr import Attachment, WxrItem


def audio_version(
    item: WxrItem, media: MediaLibrary, attachments: dict[int, Attachment], warn
) -> LocalFile | None:
    """The post's audio version: the enclosure, else the first [audio] or audio block
    whose file is in the media folder and is audio the site can publish."""
    urls = [v.strip().split("\n")[0].strip() for v in item.meta.get("enclosure", [])]
    ctx = Context(post_id=item.post_id, attachments=attachments)
    urls += audio_urls(item.content, ctx)
    seen = set()
    for url in urls:
        if not url or url in seen:
            continue
        seen.add(url)
        if url_extension(url) not in AUDIO_EXTENSIONS:
            continue
        rel, path = media.locate(url)
        if rel is None:
            warn("audio", f"{url} is not on the old site; it is linked, not copied")
            continue
        if path is None:
            warn("missing media", f"audio {url} is not in the media folder")
            continue
        try:
            with path.open("rb") as f:
                read_audio(File(f, name=path.name))
        except ValidationError as exc:
            warn("audio", " ".join(exc.messages))
            continue
        _rel, local = media.localize(url)
        return local
    return None


def cover_image(
    item: WxrItem, media: MediaLibrary, attachments: dict[int, Attachment], warn
) -> tuple[str, str]:
    """The name in storage and the alt text of the post's featured image, or ("", "")."""
    thumbnail = item.meta_value("_thumbnail_id").strip()
    if not thumbnail.isdigit():
        return "", ""
    attachment = attachments.get(int(thumbnail))
    if attachment is None:
        warn("missing media", f"featured image {thumbnail} is not in the export")
        return "", ""
    rel, local = media.localize(attachment.url)
    if rel is None:
        return "", ""
    if local is None:
        warn("missing media", f"featured image {attachment.url} is not in the media folder")
        return "", ""
    try:
        with Image.open(local.path) as image:
            image.verify()
    except Exception:
        warn("media", f"featured image {attachment.url} is not an image this site can show")
        return "", ""
    return local.name, attachment.alt or attachment.title
