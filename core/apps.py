from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


def make_sqlite_folders():
    """SQLite creates its file but not the folder for it (var/ in a fresh clone). Done when
    Django starts rather than in the settings, so importing settings writes nothing."""
    for database in settings.DATABASES.values():
        name = str(database.get("NAME", ""))
        on_disk = name and ":memory:" not in name and not name.startswith("file:")
        if database["ENGINE"] == "django.db.backends.sqlite3" and on_disk:
            Path(name).parent.mkdir(parents=True, exist_ok=True)


def render_site_settings(site) -> dict[str, str]:
    from core.markdown import render_markdown

    return {
        "bio_html": render_markdown(site.bio),
        "welcome_email_html": render_markdown(site.welcome_email),
    }


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Site"

    def ready(self):
        make_sqlite_folders()
        from core import checks, rerendering, versioning  # noqa: F401 (checks registers itself)
        from core.models import ContentChange, SiteSettings
        from core.signals import sync_site_domain

        post_migrate.connect(sync_site_domain, sender=self)
        # Warming the page cache after a change runs on the worker (core.tasks).
        from core import tasks, warming

        warming.set_enqueuer(tasks.enqueue_warm)
        # What readers see, for ETags and Last-Modified: the site settings, and the time of
        # the last deletion (ContentChange, see core.versioning.touch).
        versioning.register(SiteSettings)
        versioning.register(ContentChange, "changed_at", touch_on_delete=False)
        # The author bio and the welcome email, for `manage.py rerender_markdown`.
        rerendering.register(
            SiteSettings,
            fields=("bio", "bio_html", "welcome_email", "welcome_email_html"),
            render=render_site_settings,
        )
