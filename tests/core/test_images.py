"""Uploaded images, in the editor and in image fields: one set of rules (core.images).

Stored under the extension of the format found in the file, re-encoded so nothing the
uploader appended survives, refused by pixel count before anything is decoded, and refused
with a message a person can act on when Pillow cannot read them."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from blog.models import Post
from core.models import Status

pytestmark = pytest.mark.django_db

SCRIPT = b"<html><script>alert(document.domain)</script></html>"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image_bytes(fmt="GIF", size=(40, 30), colour="navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares `width`×`height` pixels but carries almost no image data: any
    attempt to decode it fails, so a refusal that names its size came before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("author", "a@example.com", "pw")
    client.force_login(user)
    return client


def editor_upload(client, name, content, content_type="image/gif"):
    return client.post(
        "/markdownx/upload/",
        {"image": SimpleUploadedFile(name, content, content_type)},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )


def stored_file(settings, response) -> Path:
    url = response.json()["image_code"].removeprefix("![](").removesuffix(")")
    assert url.startswith(settings.MEDIA_URL)
    return Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL)


@pytest.mark.parametrize(
    ("fmt", "extension"), [("GIF", ".gif"), ("PNG", ".png"), ("JPEG", ".jpg"), ("WEBP", ".webp")]
)
@pytest.mark.parametrize("name", ["poly.html", "poly.svg", "poly"])
def test_editor_stores_an_image_under_its_real_format_without_appended_data(
    staff, settings, name, fmt, extension
):
    response = editor_upload(staff, name, image_bytes(fmt) + SCRIPT)

    assert response.status_code == 200, response.content
    path = stored_file(settings, response)
    assert path.suffix == extension
    data = path.read_bytes()
    assert b"<script" not in data
    with Image.open(path) as stored:
        assert stored.format == fmt
        assert stored.size == (40, 30)


def test_editor_keeps_every_frame_of_an_animated_gif(staff, settings):
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)

    response = editor_upload(staff, "anim.gif", buffer.getvalue() + SCRIPT)

    assert response.status_code == 200, response.content
    path = stored_file(settings, response)
    assert b"<script" not in path.read_bytes()
    with Image.open(path) as stored:
        assert stored.n_frames == 3


def test_editor_shrinks_wide_images_to_the_configured_width(staff, settings):
    response = editor_upload(staff, "wide.png", image_bytes("PNG", size=(3200, 400)))
    with Image.open(stored_file(settings, response)) as stored:
        assert stored.size == (1600, 200)


def test_editor_turns_a_phone_photo_the_way_its_camera_says(staff, settings):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    buffer = io.BytesIO()
    Image.new("RGB", (60, 20), "white").save(buffer, format="JPEG", exif=exif)

    response = editor_upload(staff, "photo.jpg", buffer.getvalue(), "image/jpeg")

    with Image.open(stored_file(settings, response)) as stored:
        assert stored.size == (20, 60)
        assert 0x0112 not in stored.getexif()


def errors(response) -> str:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    return " ".join(message for messages in response.json().values() for message in messages)


def test_editor_refuses_svg_and_says_why(staff):
    message = errors(editor_upload(staff, "drawing.svg", SVG, "image/svg+xml"))
    assert message.startswith("SVG images can't be uploaded:")


def test_editor_refuses_what_is_not_an_image(staff):
    message = errors(editor_upload(staff, "fake.png", SCRIPT, "image/png"))
    assert message == "This file is not a PNG, JPEG, GIF or WebP image."


def test_editor_refuses_a_damaged_image(staff):
    message = errors(editor_upload(staff, "cut.png", image_bytes("PNG", (300, 300))[:-200]))
    assert "damaged" in message


def test_editor_refuses_other_formats_pillow_reads(staff):
    message = errors(editor_upload(staff, "old.bmp", image_bytes("BMP"), "image/bmp"))
    assert "BMP images can't be uploaded" in message


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (10000, 10000)])
def test_editor_refuses_a_decompression_bomb_by_its_size(staff, settings, width, height):
    response = editor_upload(staff, "bomb.png", png_header(width, height), "image/png")
    assert errors(response) == (
        f"This image is {width}×{height} pixels; the limit is "
        f"{settings.MAX_IMAGE_MEGAPIXELS} megapixels."
    )
    assert not (Path(settings.MEDIA_ROOT) / "uploads").exists()


def test_the_pixel_limit_is_a_setting(staff, settings):
    settings.MAX_IMAGE_MEGAPIXELS = 1
    assert "the limit is 1 megapixels" in errors(
        editor_upload(staff, "big.png", image_bytes("PNG", (1001, 1000)))
    )
    assert editor_upload(staff, "ok.png", image_bytes("PNG", (1000, 1000))).status_code == 200


def add_post(client, **files):
    return client.post(
        reverse("admin:blog_post_add"),
        {
            "title": "T",
            "slug": "t",
            "body": "b",
            "status": Status.DRAFT,
            "published_at_0": "2026-01-05",
            "published_at_1": "10:00:00",
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
            **files,
        },
    )


def test_cover_image_follows_the_same_rules(staff, site):
    upload = SimpleUploadedFile("cover.html", image_bytes("GIF") + SCRIPT, "text/html")
    response = add_post(staff, cover_image=upload)

    assert response.status_code == 302, response.content.decode()[:3000]
    cover = Post.objects.get().cover_image
    assert cover.name.startswith("covers/")
    assert cover.name.endswith(".gif")
    with cover.open("rb") as stored:
        assert b"<script" not in stored.read()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bomb.png", png_header(30000, 30000), "This image is 30000×30000 pixels; the limit is"),
        ("drawing.svg", SVG, "SVG images can&#x27;t be uploaded:"),
        ("fake.png", SCRIPT, "This file is not a PNG, JPEG, GIF or WebP image."),
    ],
)
def test_cover_image_refuses_with_the_same_messages(staff, site, name, content, message):
    response = add_post(staff, cover_image=SimpleUploadedFile(name, content, "image/png"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_avatar_follows_the_same_rules(staff, site):
    url = reverse("admin:core_sitesettings_change")
    data = {
        "author_name": "Ada Example",
        "newsletter_name": "Warm Start",
        "subscriber_count_threshold": 3,
        "podcast_category": "Technology",
    }
    upload = SimpleUploadedFile("me.svg", image_bytes("PNG") + SCRIPT, "image/svg+xml")
    response = staff.post(url, {**data, "avatar": upload})

    assert response.status_code == 302, response.content.decode()[:3000]
    site.refresh_from_db()
    assert site.avatar.name.endswith(".png")


def test_the_upload_address_only_takes_posts(staff):
    assert staff.get("/markdownx/upload/").status_code == 405
