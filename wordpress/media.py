"""Files from the old site's `wp-content/uploads` folder, copied into this site's media.

An upload URL (`https://old.example/wp-content/uploads/2019/05/photo.jpg?w=604`,
`https://name.files.wordpress.com/2019/05/photo.jpg`, a multisite `/files/2019/05/…`) is
mapped to the same relative path under `--media-dir`, copied once into the default storage
under `wordpress/<that path>` and referred to by its new URL. The same file is never copied
twice, and a second import finds the copy of the first, so the stored names (and the
Markdown that mentions them) do not change between runs.
"""

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.files import File
from django.core.files.storage import default_storage

STORAGE_PREFIX = "wordpress/"
# FileField and ImageField columns hold 100 characters by default.
MAX_NAME_LENGTH = 100

_UPLOADS = re.compile(r"/wp-content/(?:uploads|blogs\.dir/\d+/files)/(.+)$")
_MULTISITE = re.compile(r"^/files/(\d{4}/\d{2}/.+)$")


def upload_path(url: str) -> str | None:
    """The path below the uploads folder that `url` points at; None for other URLs."""
    if not url or url.startswith(("data:", "mailto:", "#")):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    path = unquote(parts.path)
    match = _UPLOADS.search(path)
    if match:
        rel = match.group(1)
    elif parts.netloc.lower().endswith(".files.wordpress.com"):
        rel = path.lstrip("/")
    elif (match := _MULTISITE.match(path)) and parts.scheme in ("", "http", "https"):
        rel = match.group(1)
    else:
        return None
    rel = posixpath.normpath(rel)
    if not rel or rel.startswith(("..", "/")) or rel == ".":
        return None
    return rel


def storage_name(rel: str) -> str:
    """Where the copy of uploads/`rel` is stored, short enough for a file column."""
    name = STORAGE_PREFIX + rel
    if len(name) <= MAX_NAME_LENGTH:
        return name
    folder, base = posixpath.split(rel)
    stem, ext = posixpath.splitext(base)
    digest = hashlib.sha1(rel.encode()).hexdigest()[:10]
    folder = folder[:20]
    room = MAX_NAME_LENGTH - len(STORAGE_PREFIX) - len(folder) - len(ext[:10]) - 13
    return posixpath.join(STORAGE_PREFIX + folder, f"{stem[: max(room, 1)]}-{digest}{ext[:10]}")


@dataclass(frozen=True)
class LocalFile:
    rel: str  # path below uploads/
    path: Path  # the file in --media-dir
    name: str  # name in storage

    @property
    def url(self) -> str:
        return default_storage.url(self.name)


class MediaLibrary:
    """Finds upload files in `media_dir` and copies them into storage (unless dry_run)."""

    def __init__(self, media_dir: Path | str | None, dry_run: bool = False):
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.dry_run = dry_run
        self.copied = 0
        self.reused = 0
        self.missing = 0
        self._done: dict[str, LocalFile | None] = {}

    def find(self, rel: str) -> Path | None:
        """The file for uploads/`rel` in the media folder, never outside it."""
        if self.media_dir is None:
            return None
        candidate = (self.media_dir / rel).resolve()
        if not candidate.is_relative_to(self.media_dir) or not candidate.is_file():
            return None
        return candidate

    def locate(self, url: str) -> tuple[str | None, Path | None]:
        """(path below uploads or None when `url` is no upload, the file or None)."""
        rel = upload_path(url)
        if rel is None:
            return None, None
        return rel, self.find(rel)

    def localize(self, url: str) -> tuple[str | None, LocalFile | None]:
        """Copy the upload `url` refers to into storage.

        Returns (rel, LocalFile): rel is None when `url` is not an upload (leave it alone);
        the LocalFile is None when the upload is not in the media folder (report it)."""
        rel = upload_path(url)
        if rel is None:
            return None, None
        if rel in self._done:
            local = self._done[rel]
            if local is None:
                self.missing += 1
            return rel, local
        path = self.find(rel)
        if path is None:
            self.missing += 1
            self._done[rel] = None
            return rel, None
        local = LocalFile(rel=rel, path=path, name=storage_name(rel))
        self._store(local)
        self._done[rel] = local
        return rel, local

    def _store(self, local: LocalFile):
        size = local.path.stat().st_size
        if default_storage.exists(local.name):
            if default_storage.size(local.name) == size:
                self.reused += 1
                return
            if not self.dry_run:
                default_storage.delete(local.name)
        self.copied += 1
        if self.dry_run:
            return
        with local.path.open("rb") as f:
            saved = default_storage.save(local.name, File(f, name=local.path.name))
        if saved != local.name:  # another process took the name meanwhile
            object.__setattr__(local, "name", saved)
