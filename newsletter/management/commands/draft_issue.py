from django.core.management.base import BaseCommand, CommandError

from newsletter import digest


class Command(BaseCommand):
    help = (
        "Create the next newsletter issue as a draft from the posts, releases and saved links "
        "published since the last sent issue (never an item an earlier issue carried), "
        "using the template in the site settings. Prints the new issue's number."
    )

    def handle(self, *args, **options):
        try:
            issue = digest.draft_next_issue()
        except (digest.NothingNew, digest.TemplateError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(issue.number))
        self.stderr.write(
            f"Issue #{issue.number} is a draft ({issue.subtitle}): review it in the admin, "
            "then publish and send it."
        )
