from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        from core import dashboard, versioning
        from projects import previews, searchable
        from projects.models import Project, Release

        dashboard.register_writable(Release, select_related=("project",))
        # What readers see, for ETags, Last-Modified and the page cache (core.versioning).
        versioning.register(Release, "updated_at", "published_at", published=True)
        versioning.register(Project)
        previews.register()
        searchable.register()
