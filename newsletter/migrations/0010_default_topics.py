from django.db import migrations

NEWSLETTER = "newsletter"
POSTS = "posts"


def create_default_topics(apps, schema_editor):
    """The two topics every site has; everyone already on the list and every issue so far
    belong to the newsletter."""
    Topic = apps.get_model("newsletter", "Topic")
    Subscriber = apps.get_model("newsletter", "Subscriber")
    Issue = apps.get_model("newsletter", "Issue")
    newsletter, _ = Topic.objects.get_or_create(
        key=NEWSLETTER,
        defaults={
            "name": "The newsletter",
            "description": "Each issue, written by the author.",
            "kind": "newsletter",
            "offered_at_signup": True,
            "position": 0,
        },
    )
    Topic.objects.get_or_create(
        key=POSTS,
        defaults={
            "name": "Every new post",
            "description": "An email when a post is published.",
            "kind": "posts",
            "offered_at_signup": False,
            "position": 1,
        },
    )
    Membership = Subscriber.topics.through
    Membership.objects.bulk_create(
        [
            Membership(subscriber_id=pk, topic_id=newsletter.pk)
            for pk in Subscriber.objects.values_list("pk", flat=True).iterator()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    Issue.objects.filter(topic__isnull=True).update(topic=newsletter)


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0009_topics_and_issue_kinds")]

    operations = [migrations.RunPython(create_default_topics, migrations.RunPython.noop)]
