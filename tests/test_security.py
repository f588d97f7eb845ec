"""Attacks a public blog meets: password guessing, missing headers, hostile uploads."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.environments import PRODUCTION, ROOT

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def attempt(client, password):
    return client.post(LOGIN, {"username": "author", "password": password, "next": "/admin/"})


def test_admin_login_locks_out_after_repeated_failures(client, settings, site):
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_superuser("author", "a@example.com", "the-right-password")

    for _ in range(2):
        response = attempt(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = attempt(client, "wrong")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()

    # Even the right password is refused while locked out...
    assert attempt(client, "the-right-password").status_code == 429
    # ...until the documented command unlocks the account.
    call_command("axes_reset_username", "author", stdout=open(os.devnull, "w"))  # noqa: SIM115
    response = attempt(client, "the-right-password")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_lockout_is_per_user_and_address(client, settings, site):
    settings.AXES_FAILURE_LIMIT = 2
    get_user_model().objects.create_superuser("author", "a@example.com", "the-right-password")
    for _ in range(2):
        attempt(client, "wrong")
    other_address = client.post(
        LOGIN,
        {"username": "author", "password": "the-right-password"},
        REMOTE_ADDR="10.9.8.7",
    )
    assert other_address.status_code == 302


def test_production_responses_carry_every_security_header(tmp_path):
    script = (
        "import json; from django.test import Client; "
        "r = Client().get('/healthz', secure=True, HTTP_HOST='blog.example.com'); "
        "print(json.dumps(dict(r.headers)))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env={**base, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert len(headers["X-Request-ID"]) == 32


def test_session_and_csrf_cookies_are_secure_in_production():
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE)"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env={**base, **PRODUCTION}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.split()[-5:] == ["True", "True", "True", "Lax", "Lax"]


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(user)
    return client


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("drawing.svg", SVG, "image/svg+xml"),
        ("page.html", HTML, "text/html"),
        ("fake.png", HTML, "image/png"),  # an image by name and header, HTML inside
    ],
)
def test_editor_upload_refuses_anything_but_real_images(staff_client, name, content, content_type):
    response = staff_client.post(
        "/markdownx/upload/",
        {"image": SimpleUploadedFile(name, content, content_type)},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "content"), [("evil.svg", SVG), ("evil.html", HTML), ("notes.txt", b"hi")]
)
def test_media_that_could_script_is_served_as_an_inert_download(client, settings, name, content):
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    (media / name).write_bytes(content)
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_audio_and_images_are_served_inline(client, settings):
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    (media / "episode.mp3").write_bytes(b"ID3")
    response = client.get("/media/episode.mp3")
    assert response["Content-Type"] == "audio/mpeg"
    assert "attachment" not in response.get("Content-Disposition", "")


def test_readyz_reports_database_and_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.content == b"ok"
    assert "no-store" in response["Cache-Control"]
