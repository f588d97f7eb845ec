from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content for a fresh site: `manage.py seed_demo` and the data and media it loads."""

    name = "demo"
    verbose_name = "Demo content"
