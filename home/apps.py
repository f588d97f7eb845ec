from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home and search"

    def ready(self):
        from blog.models import Post
        from home import signals
        from home.models import SearchEntry
        from newsletter.models import Issue
        from projects.models import Project, Release

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
