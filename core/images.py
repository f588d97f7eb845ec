"""The rules every uploaded image passes: the editor's drag-and-drop and every image field.

- The file is identified by its content, never by its name or the browser's type: PNG,
  JPEG, GIF and WebP are accepted; an SVG (which can carry script) or anything else is
  refused with a message that says so.
- Its size in pixels is read from the header and refused above MAX_IMAGE_MEGAPIXELS
  before a single pixel is decoded: an 875 KB PNG can declare 30000×30000 pixels (2.7 GB
  once decoded).
- What is stored is re-encoded from the decoded pixels, under the extension of its format:
  nothing appended to an image (an HTML page after a GIF) survives, metadata such as GPS
  positions are dropped, and a photo is turned the way its camera's EXIF tag said.

`checked_image(upload)` applies them all and returns the file to store.
"""

import io
import struct
import zlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import (
    GifImagePlugin,
    Image,
    ImageOps,
    ImageSequence,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)

# The formats accepted, how each is read (header only), and how it is stored.
READERS = {
    "PNG": PngImagePlugin.PngImageFile,
    "JPEG": JpegImagePlugin.jpeg_factory,
    "GIF": GifImagePlugin.GifImageFile,
    "WEBP": WebPImagePlugin.WebPImageFile,
}
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
ACCEPTED = "PNG, JPEG, GIF or WebP"
LOSSY_QUALITY = 85  # JPEG and WebP

# What Pillow raises while reading a file that is not (or no longer) what its header says.
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)


def max_pixels() -> int:
    return settings.MAX_IMAGE_MEGAPIXELS * 1_000_000


def checked_image(upload, *, max_width: int | None = None) -> SimpleUploadedFile:
    """The image to store for `upload`, re-encoded in its own format and named after it
    (`<original stem>.<extension of the format>`), at most `max_width` pixels wide.

    Raises ValidationError (with a message for the person who uploaded it) for a file over
    MAX_IMAGE_UPLOAD_MB, a format other than PNG, JPEG, GIF or WebP, more pixels than
    MAX_IMAGE_MEGAPIXELS, or an image that cannot be decoded."""
    validate_image_size(upload)
    with _identify(upload) as image:
        fmt = "JPEG" if image.format == "MPO" else image.format  # MPO: a phone's JPEG
        frames = _decoded_frames(image)
        data = _encode(image, frames, fmt, max_width)
    stem = PurePath(upload.name or "image").stem[:50] or "image"
    return SimpleUploadedFile(stem + EXTENSIONS[fmt], data, CONTENT_TYPES[fmt])


def validate_image_size(file) -> None:
    """Refuse files over MAX_IMAGE_UPLOAD_MB with a message that says both sizes."""
    limit = settings.MAX_IMAGE_UPLOAD_MB * 1024 * 1024
    if file.size > limit:
        raise ValidationError(
            "The image is %(size)s; the limit is %(limit)s.",
            code="image_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )


def _identify(upload) -> Image.Image:
    """The image with only its header read, its pixel count checked.

    Pillow's Image.open refuses a huge image itself (DecompressionBombError) but without
    saying its size, and only above twice its own, process-wide limit; reading the header
    with the format's own class leaves the size check, and its message, to us."""
    upload.seek(0)
    head = upload.read(1024)
    for reader in READERS.values():
        upload.seek(0)
        try:
            image = reader(upload)
        except _READ_ERRORS:
            continue
        _check_pixels(image)
        return image
    raise _unsupported(upload, head)


def _check_pixels(image: Image.Image) -> None:
    width, height = image.size
    limit = settings.MAX_IMAGE_MEGAPIXELS
    if width * height > max_pixels():
        raise ValidationError(
            "This image is %(width)s×%(height)s pixels; the limit is %(limit)s megapixels.",
            code="image_too_many_pixels",
            params={"width": width, "height": height, "limit": limit},
        )
    try:
        frames = getattr(image, "n_frames", 1)
    except _READ_ERRORS:
        raise _damaged() from None
    if width * height * frames > max_pixels():
        raise ValidationError(
            "This animation has %(frames)s frames of %(width)s×%(height)s pixels; the limit "
            "is %(limit)s megapixels for all its frames together.",
            code="image_too_many_pixels",
            params={"frames": frames, "width": width, "height": height, "limit": limit},
        )


def _unsupported(upload, head: bytes) -> ValidationError:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in head.lower():
        return ValidationError(
            "SVG images can't be uploaded: an SVG file can carry scripts that would run on "
            "this site. Export the drawing as PNG or WebP and upload that.",
            code="image_svg",
        )
    other = _other_format(upload)
    if other:
        return ValidationError(
            "%(format)s images can't be uploaded; convert it to " + ACCEPTED + " first.",
            code="image_format",
            params={"format": other},
        )
    return ValidationError(f"This file is not a {ACCEPTED} image.", code="not_an_image")


def _other_format(upload) -> str | None:
    """The name of a format Pillow knows but we do not store (BMP, TIFF, …), for the message."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            return image.format
    except (UnidentifiedImageError, Image.DecompressionBombError, *_READ_ERRORS):
        return None
    finally:
        upload.seek(0)


def _damaged() -> ValidationError:
    return ValidationError(
        "This image is damaged or incomplete; save it again and upload the new file.",
        code="image_damaged",
    )


def _decoded_frames(image: Image.Image) -> list[Image.Image]:
    """Every frame, decoded (so a damaged file is refused here), photos turned upright."""
    try:
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except _READ_ERRORS:
        raise _damaged() from None
    if len(frames) == 1:
        frames = [ImageOps.exif_transpose(frames[0])]
    return frames


def _encode(image: Image.Image, frames: list[Image.Image], fmt: str, max_width) -> bytes:
    if max_width and frames[0].width > max_width:
        height = max(1, round(frames[0].height * max_width / frames[0].width))
        frames = [frame.resize((max_width, height), Image.Resampling.LANCZOS) for frame in frames]
    options = {}
    if icc := image.info.get("icc_profile"):
        options["icc_profile"] = icc
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = LOSSY_QUALITY
    if fmt == "JPEG" and frames[0].mode not in ("RGB", "L", "CMYK"):
        frames = [frame.convert("RGB") for frame in frames]
    if len(frames) > 1:
        options.update(
            save_all=True,
            append_images=frames[1:],
            duration=[frame.info.get("duration", 100) for frame in frames],
            loop=image.info.get("loop", 0),
        )
    buffer = io.BytesIO()
    frames[0].save(buffer, format=fmt, **options)
    return buffer.getvalue()
