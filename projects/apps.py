from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        from core import dashboard
        from projects.models import Release

        dashboard.register_writable(Release, select_related=("project",))
