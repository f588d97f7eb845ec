from django.core.exceptions import ValidationError

# The image rules live in core.images; migrations name this function here.
from core.images import validate_image_size

__all__ = ["validate_image_size", "validate_podcast_artwork"]


PODCAST_ARTWORK_MIN = 1400
PODCAST_ARTWORK_MAX = 3000


def validate_podcast_artwork(file):
    """Apple Podcasts wants square JPEG or PNG artwork between 1400 and 3000 pixels a side."""
    from django.core.files.images import get_image_dimensions

    validate_image_size(file)
    width, height = get_image_dimensions(file)
    if width is None:
        raise ValidationError("This file is not an image.", code="artwork_unreadable")
    if width != height or not PODCAST_ARTWORK_MIN <= width <= PODCAST_ARTWORK_MAX:
        raise ValidationError(
            "The podcast artwork is %(width)s by %(height)s pixels; podcast apps need a square "
            "image from %(min)s by %(min)s to %(max)s by %(max)s pixels.",
            code="artwork_size",
            params={
                "width": width,
                "height": height,
                "min": PODCAST_ARTWORK_MIN,
                "max": PODCAST_ARTWORK_MAX,
            },
        )
    name = (getattr(file, "name", "") or "").lower()
    if not name.endswith((".jpg", ".jpeg", ".png")):
        raise ValidationError("Podcast artwork must be a JPEG or PNG file.", code="artwork_format")
