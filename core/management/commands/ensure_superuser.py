import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from environs import Env


class Command(BaseCommand):
    help = (
        "Make sure an admin account exists. Uses DJANGO_SUPERUSER_USERNAME, "
        "DJANGO_SUPERUSER_PASSWORD and DJANGO_SUPERUSER_EMAIL when set; otherwise creates "
        "'admin' with a random password and prints it once."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        env = Env()
        username = env.str("DJANGO_SUPERUSER_USERNAME", default="admin")
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("Admin account: already set up (log in at /admin/).")
            return
        password = env.str("DJANGO_SUPERUSER_PASSWORD", default="")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(
            username=username,
            email=env.str("DJANGO_SUPERUSER_EMAIL", default=""),
            password=password,
        )
        if generated:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Admin account created at /admin/: user {username!r}, "
                    f"password {password!r}\n(shown once: note it, or change it in the admin)"
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Admin account {username!r} created."))
