from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat


def validate_image_size(file):
    """Refuse images over MAX_IMAGE_UPLOAD_MB with a message that says both sizes."""
    limit = settings.MAX_IMAGE_UPLOAD_MB * 1024 * 1024
    if file.size > limit:
        raise ValidationError(
            "The image is %(size)s; the limit is %(limit)s.",
            code="image_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )
