"""Uploads: where files are stored, and the editor's image upload checked by content."""

import uuid
from pathlib import PurePath

from django import forms
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView
from PIL import Image, UnidentifiedImageError

# What Pillow calls each format, and the type the file is then stored and served as.
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


class CheckedImageForm(ImageForm):
    """markdownx's form trusts the browser's Content-Type; this one opens the file.

    Anything Pillow cannot read as PNG, JPEG, GIF or WebP is refused with a message (an
    SVG, an HTML page named .png), and the stored type comes from the content."""

    def clean(self):
        upload = super().clean()  # markdownx's clean returns the upload itself
        try:
            with Image.open(upload) as image:
                image.verify()
                detected = FORMATS.get(image.format)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            detected = None
        finally:
            upload.seek(0)
        if detected is None:
            raise forms.ValidationError(
                "This file is not a PNG, JPEG, GIF or WebP image.", code="not_an_image"
            )
        upload.content_type = detected
        return upload


class CheckedImageUploadView(ImageUploadView):
    form_class = CheckedImageForm


@deconstructible
class GeneratedName:
    """`upload_to` that stores files under a random name in `folder/<year>/`, keeping only
    the (lower-cased) extension: uploaded names never reach the file system or a URL, and
    two uploads can never collide or overwrite each other."""

    def __init__(self, folder: str):
        self.folder = folder.strip("/")

    def __call__(self, instance, filename: str) -> str:
        extension = PurePath(filename).suffix.lower()[:10]
        year = timezone.now().year
        return f"{self.folder}/{year}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other):
        return isinstance(other, GeneratedName) and other.folder == self.folder
