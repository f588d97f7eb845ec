from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Site"

    def ready(self):
        from core import versioning
        from core.models import ContentChange, SiteSettings
        from core.signals import sync_site_domain

        post_migrate.connect(sync_site_domain, sender=self)
        # What readers see, for ETags and Last-Modified: the site settings, and the time of
        # the last deletion (ContentChange, see core.versioning.touch).
        versioning.register(SiteSettings)
        versioning.register(ContentChange, "changed_at", touch_on_delete=False)
