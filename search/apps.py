from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from core import searchindex
        from search import signals

        # What to index comes from the content apps' registrations (core.searchindex).
        searchindex.documents_changed.connect(signals.index_documents, dispatch_uid="search")
        searchindex.documents_removed.connect(signals.remove_documents, dispatch_uid="unindex")
        post_migrate.connect(signals.index_existing_content, sender=self)
