"""Each project has a topic, "New releases of <project>", that readers follow from the
project's page; it follows the project's name and goes when the project goes (its
followers who follow nothing else are then unsubscribed: newsletter.topics)."""

from newsletter import topics
from newsletter.models import Topic
from projects.models import Project

# After the newsletter and the posts, in the projects' own order.
POSITION_FROM = 100


def topic_for(project: Project) -> Topic | None:
    return Topic.objects.filter(key=project.releases_topic_key).first()


def sync(project: Project) -> Topic:
    topic, _ = Topic.objects.update_or_create(
        key=project.releases_topic_key,
        defaults={
            "name": f"New releases of {project.name}",
            "description": project.tagline[:300],
            "kind": Topic.Kind.RELEASES,
            "position": POSITION_FROM + project.display_order,
        },
    )
    return topic


def on_project_saved(sender, instance: Project, raw=False, **kwargs):
    if not raw:
        sync(instance)


def on_project_deleted(sender, instance: Project, **kwargs):
    if topic := topic_for(instance):
        topics.remove_topic(topic)
