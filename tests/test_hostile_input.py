"""Requests built to break things get a 4xx, never a 500 (which would email DJANGO_ADMINS),
and a bad Host header is one warning line in the log, not a traceback."""

import json
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client

from tests.environments import PRODUCTION, ROOT
from tests.factories import PostFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999", "-3", "x"])
def test_a_page_number_past_any_database_is_a_404_on_the_home_page(anonymous, site, page):
    PostFactory()
    assert anonymous.get(f"/?page={page}").status_code == 404
    assert anonymous.get("/?page=1").status_code == 200


@pytest.mark.parametrize("url", ["/archive/", "/category/serverless/"])
def test_other_lists_answer_404_too(anonymous, site, url):
    PostFactory(slug="p").categories.create(name="Serverless", slug="serverless")
    assert anonymous.get(f"{url}?page=9223372036854775807").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/projects/{slug}/releases/%00/",
        "/projects/{slug}/releases/1.0%00/",
        "/posts/%00/",
        "/search/?q=%00",
        "/newsletter/confirm/%00/",
        "/?page=1%00",
    ],
)
def test_nul_in_a_path_or_query_is_a_400(anonymous, site, url):
    release = ReleaseFactory()
    response = anonymous.get(url.format(slug=release.project.slug))
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_staff_filters_with_nul_are_a_400(client, site):
    client.force_login(get_user_model().objects.create_superuser("a", "a@example.com", "pw"))
    response = client.get("/admin/blog/post/?status__exact=%00")
    assert response.status_code == 400


def test_an_overlong_admin_user_name_is_refused_like_a_wrong_password(anonymous, site):
    response = anonymous.post("/admin/login/", {"username": "u" * 10_000, "password": "pw"})
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()


def test_overlong_user_names_still_count_towards_the_lockout(anonymous, site, settings):
    settings.AXES_FAILURE_LIMIT = 2
    name = "u" * 10_000
    for _ in range(2):
        response = anonymous.post("/admin/login/", {"username": name, "password": "pw"})
    assert response.status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == 2


def test_a_bad_host_header_is_one_warning_line_in_the_log():
    script = (
        "from django.test import Client; "
        "r = Client().get('/healthz', HTTP_HOST='evil.example'); "
        "print('status', r.status_code)"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env={**base, **PRODUCTION, "DJANGO_SECURE_SSL_REDIRECT": "false"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "status 400"
    records = [json.loads(line) for line in lines if line.startswith("{")]
    host = [r for r in records if r["logger"] == "django.security.DisallowedHost"]
    assert len(host) == 1
    assert host[0]["level"] == "WARNING"
    assert "evil.example" in host[0]["message"]
    assert "exc_info" not in host[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_staff_filters_with_a_number_beyond_64_bits_are_a_400(client, site):
    client.force_login(get_user_model().objects.create_superuser("a", "a@example.com", "pw"))
    response = client.get("/admin/auth/user/?groups__exact=9223372036854775808")
    assert response.status_code == 400
    assert client.get("/admin/auth/user/?groups__exact=9223372036854775807").status_code < 500


def test_an_empty_to_field_in_the_admin_is_a_400(client, site):
    client.force_login(get_user_model().objects.create_superuser("a", "a@example.com", "pw"))
    for url in ("/admin/newsletter/mailevent/1/delete/", "/admin/blog/post/1/change/"):
        response = client.get(f"{url}?_to_field=")
        assert response.status_code == 400, url
    assert client.get("/admin/blog/post/1/change/?_to_field=nonsense").status_code == 400
