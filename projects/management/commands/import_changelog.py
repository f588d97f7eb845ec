from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.imports.changelog import import_changelog
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Turn a Keep-a-Changelog file's dated sections into the project's releases (drafts "
        "or published, as the project imports them). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("project", help="The project's slug.")
        parser.add_argument("changelog", type=Path, help="CHANGELOG.md")

    def handle(self, *args, project, changelog: Path, **options):
        found = Project.objects.filter(slug=project).first()
        if found is None:
            raise CommandError(f"No project with the slug {project!r}.")
        try:
            text = changelog.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{changelog}: {error}") from None
        try:
            outcomes = import_changelog(found, text)
        except ValueError as error:
            raise CommandError(f"{changelog}: {error}") from None
        for outcome in outcomes:
            self.stdout.write(str(outcome))
        created = sum(o.action == "created" for o in outcomes)
        self.stdout.write(f"{created} release(s) created from {len(outcomes)} section(s).")
