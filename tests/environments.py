"""What tests that start the project in a subprocess share: its folder and a production
environment (DEBUG off, a secret key, allowed hosts)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-test-key-" + "z" * 20,
    "DJANGO_ALLOWED_HOSTS": "blog.example.com",
    "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
}
