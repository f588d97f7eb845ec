from django.core.management.base import BaseCommand, CommandError

from projects.imports import polling
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Read each project's releases from GitHub, GitLab, PyPI and npm (conditional requests; "
        "a failing source is reported and does not stop the others)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", metavar="SLUG", help="Only this project.")

    def handle(self, *args, project=None, **options):
        if project:
            found = Project.objects.filter(slug=project).first()
            if found is None:
                raise CommandError(f"No project with the slug {project!r}.")
            results = {found.slug: polling.sync_project(found, force=True)}
            if not results[found.slug]:
                raise CommandError(f"{found} names no GitHub, GitLab, PyPI or npm project.")
        else:
            results = polling.sync_all(force=True)
            if not results:
                self.stdout.write("No project names a GitHub, GitLab, PyPI or npm project.")
        failed = False
        for slug, by_source in results.items():
            for source, result in by_source.items():
                failed |= result.startswith("failed")
                self.stdout.write(f"{slug} · {source}: {result}")
        if failed:
            self.stderr.write("Some sources failed; the others were read. See above.")
