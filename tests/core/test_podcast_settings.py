"""Podcast settings: artwork must be square, 1400 to 3000 px, JPEG or PNG."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.models import SiteSettings
from core.validators import validate_podcast_artwork

pytestmark = pytest.mark.django_db


def image(width, height, fmt="PNG", name=None):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(buffer, format=fmt)
    name = name or f"art.{fmt.lower()}"
    return SimpleUploadedFile(name, buffer.getvalue(), f"image/{fmt.lower()}")


@pytest.mark.parametrize(
    ("width", "height", "fmt"),
    [(1400, 1400, "PNG"), (3000, 3000, "JPEG"), (2048, 2048, "PNG")],
)
def test_square_artwork_in_range_is_accepted(width, height, fmt):
    validate_podcast_artwork(image(width, height, fmt))


@pytest.mark.parametrize(
    ("width", "height", "fmt", "message"),
    [
        (1399, 1399, "PNG", "1399 by 1399"),
        (3001, 3001, "PNG", "3001 by 3001"),
        (1600, 1400, "PNG", "1600 by 1400"),
        (1400, 1400, "GIF", "JPEG or PNG"),
    ],
)
def test_wrong_artwork_is_refused_with_a_clear_message(width, height, fmt, message):
    with pytest.raises(ValidationError, match=message):
        validate_podcast_artwork(image(width, height, fmt))


def test_admin_refuses_a_wrong_size_at_upload(client, site):
    client.force_login(get_user_model().objects.create_superuser("a", "a@example.com", "pw"))
    url = reverse("admin:core_sitesettings_change")
    data = {
        "author_name": "Ada Example",
        "newsletter_name": "Warm Start",
        "subscriber_count_threshold": 3,
        "podcast_category": "Technology",
    }
    response = client.post(url, {**data, "podcast_artwork": image(800, 800)})
    assert response.status_code == 200
    assert "podcast apps need a square image" in response.content.decode()
    assert not SiteSettings.get_solo().podcast_artwork

    response = client.post(
        url,
        {**data, "podcast_artwork": image(1400, 1400), "podcast_category": "News > Tech News",
         "podcast_explicit": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    settings = SiteSettings.get_solo()
    assert settings.podcast_artwork.width == 1400
    assert settings.podcast_category == "News > Tech News"
    assert settings.podcast_explicit
