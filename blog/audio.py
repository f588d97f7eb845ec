"""Reading and checking audio versions of posts."""

from dataclasses import dataclass
from pathlib import PurePath

import mutagen
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

# What each format may be called: the web server picks the Content-Type from the name, so
# the name must agree with what the file really holds.
EXTENSIONS = {
    MP3: {".mp3"},
    MP4: {".m4a", ".mp4", ".aac"},
    OggVorbis: {".ogg", ".oga"},
    OggOpus: {".ogg", ".oga", ".opus"},
}
ALLOWED_EXTENSIONS = set().union(*EXTENSIONS.values())
MIME_TYPES = {MP3: "audio/mpeg", MP4: "audio/mp4", OggVorbis: "audio/ogg", OggOpus: "audio/ogg"}
FORMAT_NAMES = {MP3: "MP3", MP4: "M4A", OggVorbis: "Ogg Vorbis", OggOpus: "Ogg Opus"}


@dataclass(frozen=True)
class AudioInfo:
    mime_type: str
    duration_seconds: int
    size: int


def read_audio(file) -> AudioInfo:
    """Read MIME type, duration and size from an audio file (an upload or a stored file).

    Raises ValidationError with a message fit for the author when the file is not MP3,
    M4A/AAC or Ogg (Vorbis or Opus) audio.
    """
    name = PurePath(getattr(file, "name", "") or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            "“%(name)s” is not an audio file this site can publish: upload an MP3, M4A or OGG "
            "file.",
            code="audio_extension",
            params={"name": name},
        )
    file.seek(0)
    try:
        audio = mutagen.File(file)
    except Exception:  # mutagen raises many kinds of errors on garbage
        audio = None
    finally:
        file.seek(0)
    mime = MIME_TYPES.get(type(audio)) if audio is not None else None
    if mime is None or not getattr(audio.info, "length", 0):
        raise ValidationError(
            "“%(name)s” could not be read as audio. Upload an MP3, M4A or OGG file.",
            code="audio_unreadable",
            params={"name": name},
        )
    if suffix not in EXTENSIONS[type(audio)]:
        raise ValidationError(
            "“%(name)s” holds %(format)s audio but is named %(suffix)s: rename it to end in "
            "%(expected)s.",
            code="audio_misnamed",
            params={
                "name": name,
                "format": FORMAT_NAMES[type(audio)],
                "suffix": suffix,
                "expected": " or ".join(sorted(EXTENSIONS[type(audio)])),
            },
        )
    # Clips under a second still last “0:01”, never zero.
    duration = max(1, round(audio.info.length))
    return AudioInfo(mime_type=mime, duration_seconds=duration, size=file.size)


def validate_audio(file):
    """Form-level check for the audio field: size limit, then a real read of the file."""
    limit = settings.MAX_AUDIO_UPLOAD_MB * 1024 * 1024
    if file.size > limit:
        raise ValidationError(
            "The audio file is %(size)s; the limit is %(limit)s.",
            code="audio_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )
    read_audio(file)


def format_duration(seconds: int) -> str:
    """12:05 or 1:02:03."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
