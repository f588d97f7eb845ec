from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        from core import rerendering, versioning
        from newsletter import dashboard, previews, searchable
        from newsletter.models import Issue

        dashboard.register()
        # What readers see, for ETags, Last-Modified and the page cache (core.versioning).
        versioning.register(Issue, "updated_at", "published_at", published=True)
        previews.register()
        searchable.register()
        # What `manage.py rerender_markdown` renders again (core.rerendering).
        rerendering.register_markdown(Issue, "body")
