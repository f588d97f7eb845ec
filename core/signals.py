from urllib.parse import urlsplit

from django.conf import settings
from django.dispatch import Signal

# Sent by `manage.py db_worker` whenever it starts taking tasks (at start, and again after
# the database came back), so apps can make sure their recurring tasks are scheduled.
worker_started = Signal()


def sync_site_domain(sender, using="default", **kwargs):
    """Keep the sites framework's record (used by feeds, sitemaps and redirects) in step with
    SITE_URL, so nobody has to edit it by hand after a deploy."""
    from django.contrib.sites.models import Site

    from core.models import SiteSettings

    domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
    name = SiteSettings.objects.using(using).values_list("author_name", flat=True).first()
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": (name or domain)[:50]}
    )
