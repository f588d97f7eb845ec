"""Uploads: where files are stored, and images (editor and image fields) through core.images."""

import uuid
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView

from core.images import checked_image


class CheckedImageForm(ImageForm):
    """The editor's drag-and-drop upload, through the same rules as every image field.

    markdownx trusts the browser's Content-Type and keeps the uploaded name's extension
    (and a GIF byte for byte); here the content decides, and what is stored is re-encoded.
    A refusal is markdownx's JSON error answer (HTTP 400, `{"__all__": [message]}`), which
    the editor shows."""

    def clean(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            raise forms.ValidationError("No image was uploaded.", code="not_uploaded")
        max_width = settings.MARKDOWNX_IMAGE_MAX_SIZE["size"][0] or None
        self.cleaned_data["image"] = checked_image(upload, max_width=max_width)
        return self.cleaned_data

    def save(self, commit=True):
        image = self.cleaned_data["image"]
        name = default_storage.save(
            GeneratedName(settings.MARKDOWNX_MEDIA_PATH)(None, image.name), image
        )
        return default_storage.url(name)


class CheckedImageUploadView(ImageUploadView):
    form_class = CheckedImageForm
    # markdownx's view has no page to show: a GET would fail looking for a template.
    http_method_names = ["post"]


class CheckedImageFormField(forms.ImageField):
    """An image field's upload, through core.images: the value is the re-encoded file,
    named after its real format, so the uploaded name's extension no longer matters."""

    default_validators = []

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return checked_image(upload)


class CheckedImageField(models.ImageField):
    """models.ImageField whose forms (the admin's among them) check and re-encode uploads."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})


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
