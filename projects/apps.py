from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        from core import dashboard, rerendering, versioning, warming
        from core.signals import worker_started
        from projects import pages, previews, searchable, tasks
        from projects.models import Project, Release

        dashboard.register_writable(Release, select_related=("project",))
        # What readers see, for ETags, Last-Modified and the page cache (core.versioning).
        versioning.register(Release, "updated_at", "published_at", published=True)
        versioning.register(Project)
        previews.register()
        # The pages to warm after a release changes (core.warming).
        warming.register(Release, pages.release_pages)
        searchable.register()
        # What `manage.py rerender_markdown` renders again (core.rerendering).
        rerendering.register_markdown(Project, "description")
        rerendering.register_markdown(Release, "notes")
        # Polling the registries and forges, on a schedule run by the workers.
        worker_started.connect(tasks.start_release_polling, dispatch_uid="projects-polling")
