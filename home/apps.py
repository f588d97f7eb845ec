from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home, feeds and search"

    def ready(self):
        from blog.models import Category, Post, PostUpdate, Series
        from core import versioning
        from core.models import ContentChange, SiteSettings
        from home import signals
        from home.models import SearchEntry
        from newsletter.models import Issue
        from projects.models import Project, Release

        # What readers see, for ETags and Last-Modified (core.versioning).
        for model in (Post, Release, Issue):
            versioning.register(model, "updated_at", "published_at", published=True)
        for model in (PostUpdate, Series, Category, Project, SiteSettings):
            versioning.register(model)
        versioning.register(ContentChange, "changed_at")
        for model in versioning.registered_models():
            if model is not ContentChange:
                post_delete.connect(
                    signals.content_deleted, sender=model, dispatch_uid=f"touch-{model}"
                )

        m2m_changed.connect(
            versioning.invalidate,
            sender=Post.categories.through,
            weak=False,
            dispatch_uid="version-post-categories",
        )

        # The search index.
        post_save.connect(signals.index_post, sender=Post, dispatch_uid="search-post")
        post_save.connect(signals.index_release, sender=Release, dispatch_uid="search-release")
        post_save.connect(signals.index_issue, sender=Issue, dispatch_uid="search-issue")
        post_save.connect(
            signals.reindex_project_releases, sender=Project, dispatch_uid="search-project"
        )
        for model, kind in (
            (Post, SearchEntry.Kind.POST),
            (Release, SearchEntry.Kind.RELEASE),
            (Issue, SearchEntry.Kind.ISSUE),
        ):
            post_delete.connect(
                signals.unindex(kind), sender=model, weak=False, dispatch_uid=f"unindex-{kind}"
            )
        m2m_changed.connect(
            signals.post_categories_changed,
            sender=Post.categories.through,
            dispatch_uid="search-post-categories",
        )
        post_migrate.connect(signals.index_existing_content, sender=self)

        # Previews, for the admin's "View on site" of drafts and the dashboard (core.previews).
        from core import previews as admin_previews
        from home import previews

        for model in previews.models():
            admin_previews.register(model, previews.preview_path)
