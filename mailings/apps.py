from django.apps import AppConfig


class MailingsConfig(AppConfig):
    """Emails made from content: posts by email, release alerts, the release topics of
    projects, and the posts and releases a newsletter digest lists. It sits above the
    content apps, so `newsletter` never imports `blog` or `projects`."""

    name = "mailings"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from blog.models import Post
        from core import admintools
        from mailings import digest_sources, post_emails, previews, project_topics, release_alerts
        from projects.models import Project, Release

        post_save.connect(project_topics.on_project_saved, sender=Project, dispatch_uid="mailings")
        post_delete.connect(
            project_topics.on_project_deleted, sender=Project, dispatch_uid="mailings"
        )
        post_save.connect(release_alerts.on_release_saved, sender=Release, dispatch_uid="mailings")
        post_save.connect(post_emails.on_post_saved, sender=Post, dispatch_uid="mailings")
        admintools.register(Post, post_emails.admin_tools)
        admintools.register(Release, release_alerts.admin_tools)
        digest_sources.register()
        previews.register()
