"""`manage.py ensure_superuser` (run by `make run`): in a terminal it asks for the admin's
email address (test sends need one); without a terminal, or under CI, it never asks."""

import io
import os
import pty

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_superuser_env(monkeypatch):
    for name in ("DJANGO_SUPERUSER_EMAIL", "DJANGO_SUPERUSER_PASSWORD", "CI"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def terminal():
    """A real pseudo-terminal as stdin; `type(text)` is what the user types."""
    master, slave = pty.openpty()
    stdin = os.fdopen(slave, "r")

    def type_(text):
        os.write(master, text.encode())

    yield stdin, type_
    stdin.close()
    os.close(master)


def run(**kwargs):
    out = io.StringIO()
    call_command("ensure_superuser", stdout=out, **kwargs)
    return out.getvalue()


def test_in_a_terminal_it_asks_for_the_email_and_checks_it(terminal):
    stdin, type_ = terminal
    type_("not an address\nada@example.com\n")
    output = run(stdin=stdin)
    assert "Email address for the admin account" in output
    assert "“not an address” is not an email address." in output
    assert get_user_model().objects.get(username="admin").email == "ada@example.com"
    assert "has no email address" not in output


def test_enter_skips_and_says_where_to_add_it_later(terminal):
    stdin, type_ = terminal
    type_("\n")
    output = run(stdin=stdin)
    user = get_user_model().objects.get(username="admin")
    assert user.email == ""
    assert f"add it at /admin/auth/user/{user.pk}/change/" in output


@pytest.mark.parametrize("how", ["piped", "ci", "no-input"])
def test_never_asks_without_a_terminal_or_under_ci(terminal, monkeypatch, how):
    stdin, type_ = terminal
    type_("ada@example.com\n")  # were it to ask anyway, the test fails rather than hangs
    kwargs = {"stdin": stdin}
    if how == "piped":
        kwargs["stdin"] = io.StringIO("ada@example.com\n")  # not a terminal
    elif how == "ci":
        monkeypatch.setenv("CI", "true")
    else:
        kwargs["interactive"] = False
    output = run(**kwargs)
    assert "Email address for the admin account" not in output
    assert get_user_model().objects.get(username="admin").email == ""
    assert "has no email address" in output


def test_the_environment_variable_is_used_without_asking(terminal, monkeypatch):
    stdin, _ = terminal
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "env@example.com")
    output = run(stdin=stdin)
    assert "Email address" not in output
    assert get_user_model().objects.get(username="admin").email == "env@example.com"


def test_an_existing_admin_without_email_gets_the_hint():
    user = get_user_model().objects.create_superuser("boss", "", "pw")
    output = run(stdin=io.StringIO())
    assert "already set up" in output
    assert f"add it at /admin/auth/user/{user.pk}/change/" in output
