"""Production settings come from the environment and pass Django's deployment checks."""

import json
import os
import subprocess
import sys

import pytest

from tests.environments import PRODUCTION, ROOT


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_refuses_to_start_without_secret_key_or_hosts():
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    result = manage("check", **{**PRODUCTION, "DJANGO_ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must list" in result.stderr


def development(*args, **env):
    """manage.py with development settings and nothing of this shell's site address."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_")
        and k not in {"SITE_URL", "HOST", "PORT", "EMAIL_URL", "DATABASE_URL", "REDIS_URL"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# What a reader and a subscriber get from `make run PORT=8021`: each absolute link.
LINKS_SCRIPT = """
import json
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from newsletter import emails
from newsletter.models import Subscriber
from tests.factories import PostFactory, SubscriberFactory
post = PostFactory(slug="hello")
message = emails.confirmation_message(SubscriberFactory(status=Subscriber.Status.PENDING))
client = Client(HTTP_HOST="127.0.0.1:8021")
pages = {path: client.get(path).content.decode() for path in
         ["/", post.get_absolute_url(), "/feed/", "/feed/atom/", "/sitemap.xml"]}
pages["confirmation email"] = message.body
pages["List-Unsubscribe"] = message.extra_headers["List-Unsubscribe"]
print("RESULT " + json.dumps(pages))
"""


def test_links_follow_port_unless_site_url_is_set(tmp_path):
    env = {"PORT": "8021", "DJANGO_VAR_DIR": str(tmp_path)}
    out = development("shell", "-c", LINKS_SCRIPT, **env)
    pages = json.loads(out.split("RESULT ", 1)[1])
    assert '<link rel="canonical" href="http://127.0.0.1:8021/">' in pages["/"]
    assert (
        '<link rel="canonical" href="http://127.0.0.1:8021/posts/hello/">' in pages["/posts/hello/"]
    )
    assert "<link>http://127.0.0.1:8021/posts/hello/</link>" in pages["/feed/"]
    assert 'href="http://127.0.0.1:8021/posts/hello/"' in pages["/feed/atom/"]
    assert "<loc>http://127.0.0.1:8021/posts/hello/</loc>" in pages["/sitemap.xml"]
    assert "http://127.0.0.1:8021/newsletter/confirm/" in pages["confirmation email"]
    assert "http://127.0.0.1:8021/newsletter/unsubscribe/" in pages["confirmation email"]
    assert pages["List-Unsubscribe"].startswith("<http://127.0.0.1:8021/newsletter/unsubscribe/")
    for name, text in pages.items():
        assert "127.0.0.1:8000" not in text, name

    site_url = "https://blog.example.com"
    print_site_url = "from django.conf import settings; print(settings.SITE_URL)"
    out = development("shell", "-v0", "-c", print_site_url, SITE_URL=site_url, **env)
    assert out == f"{site_url}\n"


@pytest.mark.parametrize(
    ("host", "port", "site_url"),
    [
        ("", "", "http://127.0.0.1:8000"),
        ("127.0.0.1", "8021", "http://127.0.0.1:8021"),
        ("localhost", "9000", "http://localhost:9000"),
        ("0.0.0.0", "8000", "http://127.0.0.1:8000"),  # listening everywhere: loopback
        ("::", "8000", "http://[::1]:8000"),
        ("::1", "8001", "http://[::1]:8001"),
    ],
)
def test_the_default_site_url_is_where_the_server_listens(host, port, site_url):
    from config.builders import served_at

    assert served_at(host, port or "8000") == site_url


def test_development_email_is_printed_decoded():
    """`make run`'s worker prints mail (EMAIL_URL=console://, the default) as text."""
    out = development("sendtestemail", "someone@example.com")
    assert "Subject: Test email from" in out
    assert "To: someone@example.com" in out
    assert "If you're reading this, it was successful." in out
    assert "Content-Transfer-Encoding" not in out


def test_importing_the_settings_creates_no_folder_and_starting_django_does(tmp_path):
    var = tmp_path / "var"
    env = {"DJANGO_VAR_DIR": str(var)}
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_VAR_DIR"}}
    run = {"cwd": ROOT, "env": {**base, **env}, "capture_output": True, "text": True}
    imported = subprocess.run([sys.executable, "-c", "import config.settings"], **run)
    assert imported.returncode == 0, imported.stderr
    assert not var.exists()
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], **run)
    assert migrated.returncode == 0, migrated.stderr
    assert (var / "db.sqlite3").is_file()


def test_anymail_settings_come_from_anymail_variables():
    from config.builders import anymail_settings

    environ = {
        "ANYMAIL_WEBHOOK_SECRET": "u:p",
        "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": "k",
        "OTHER": "x",
        "ANYMAIL_EMPTY": "",
    }
    expected = {"WEBHOOK_SECRET": "u:p", "MAILGUN_WEBHOOK_SIGNING_KEY": "k"}
    assert anymail_settings(environ) == expected
    assert anymail_settings({}) == {"WEBHOOK_SECRET": None}
