from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from core.views import PublishedMixin
from projects.models import Project, Release


class ProjectListView(ListView):
    """Active projects, each with its latest published release (one query in all)."""

    template_name = "projects/project_list.html"
    context_object_name = "projects"

    def get_queryset(self):
        latest = (
            Release.objects.published()
            .filter(project=OuterRef("pk"))
            .order_by("-published_at", "-pk")
        )
        return Project.objects.active().annotate(
            latest_version=Subquery(latest.values("version")[:1]),
            latest_released_at=Subquery(latest.values("published_at")[:1]),
        )


class ProjectDetailView(DetailView):
    """A project and its published releases, newest first. Inactive projects keep their
    page (old links keep working) but are not listed."""

    model = Project
    context_object_name = "project"

    def get_context_data(self, **kwargs):
        releases = (
            Release.objects.published()
            .filter(project=self.object)
            .select_related("project")
            .defer("notes", "notes_html")
        )
        return super().get_context_data(releases=releases, **kwargs)


class ReleaseDetailView(PublishedMixin, DetailView):
    model = Release
    context_object_name = "release"

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.get_queryset().select_related("project"),
            project__slug=self.kwargs["slug"],
            version=self.kwargs["version"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(opengraph=self.object.opengraph_tags, **kwargs)
