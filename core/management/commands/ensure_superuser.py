import os
import secrets
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.core.validators import validate_email
from django.urls import reverse
from environs import Env


class Command(BaseCommand):
    help = (
        "Make sure an admin account exists. Uses DJANGO_SUPERUSER_USERNAME, "
        "DJANGO_SUPERUSER_PASSWORD and DJANGO_SUPERUSER_EMAIL when set; otherwise creates "
        "'admin' with a random password and prints it once. In a terminal it asks for the "
        "account's email address (test sends of the newsletter go there); with --no-input, "
        "under CI, or when stdin is not a terminal, it never asks."
    )

    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Never ask anything."
        )

    def handle(self, *args, interactive=True, stdin=None, **options):
        User = get_user_model()
        env = Env()
        stdin = stdin or sys.stdin
        username = env.str("DJANGO_SUPERUSER_USERNAME", default="admin")
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            self.stdout.write("Admin account: already set up (log in at /admin/).")
            if not existing.email:
                self.stdout.write(self._no_email_note(existing))
            return
        email = env.str("DJANGO_SUPERUSER_EMAIL", default="")
        if not email and interactive and self._can_ask(stdin):
            email = self._ask_email(stdin)
        password = env.str("DJANGO_SUPERUSER_PASSWORD", default="")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, email=email, password=password)
        if generated:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Admin account created at /admin/: user {username!r}, "
                    f"password {password!r}\n(shown once: note it, or change it in the admin)"
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Admin account {username!r} created."))
        if not email:
            self.stdout.write(self._no_email_note(user))

    @staticmethod
    def _can_ask(stdin) -> bool:
        # CI runners and scripts (piped stdin) must never hang on a question.
        return not os.environ.get("CI") and hasattr(stdin, "isatty") and stdin.isatty()

    def _ask_email(self, stdin) -> str:
        """An address, or "" when the user just presses Enter (or stdin ends)."""
        while True:
            self.stdout.write(
                "Email address for the admin account (newsletter test sends go there; "
                "Enter to skip): ",
                ending="",
            )
            self.stdout.flush()
            answer = stdin.readline()
            if not answer:
                return ""
            answer = answer.strip()
            if not answer:
                return ""
            try:
                validate_email(answer)
            except ValidationError:
                self.stdout.write(self.style.ERROR(f"“{answer}” is not an email address."))
                continue
            return answer

    @staticmethod
    def _no_email_note(user) -> str:
        opts = user._meta
        path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[user.pk])
        return (
            f"The admin account has no email address; newsletter test sends need one: "
            f"add it at {path}"
        )
