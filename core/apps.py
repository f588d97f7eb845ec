from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Site"

    def ready(self):
        from core.signals import sync_site_domain

        post_migrate.connect(sync_site_domain, sender=self)
