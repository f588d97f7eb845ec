"""What every step of a conversion is given: the item, the old site's media and
attachments, and where warnings go; and the file types told apart by a URL's extension."""

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from wordpress.media import MediaLibrary
from wordpress.wxr import Attachment

AUDIO_EXTENSIONS = {".mp3", ".m4a", ".mp4", ".aac", ".ogg", ".oga", ".opus", ".wav", ".wma"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".bmp"}


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


def url_extension(url: str) -> str:
    return posixpath.splitext(urlsplit(url).path)[1].lower()
