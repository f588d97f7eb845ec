"""What each subscriber receives: topics (the newsletter, every new post, one project's
releases), chosen at signup, on the preferences page or by one-click unsubscribe.

Rules:
- an email goes to the active subscribers who follow its topic (queueing.insert_deliveries);
- leaving a topic cancels what is still queued for that topic; leaving the last one is
  unsubscribing, so nobody stays "active" with nothing to receive;
- removing a topic moves its followers to nothing for it; those left without any topic are
  unsubscribed (the admin says how many before the author confirms: `removal_impact`);
- asking for a topic while already subscribed needs the same confirmation by email as a
  signup (the request waits in `Subscriber.pending_topics`): the signup form never lets
  someone change another person's subscription.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from newsletter.models import Delivery, Issue, Subscriber, Topic

NEWSLETTER = "newsletter"
POSTS = "posts"


def newsletter_topic() -> Topic:
    return Topic.objects.newsletter()


def posts_topic() -> Topic | None:
    return Topic.objects.filter(key=POSTS).first()


def offered_at_signup():
    return Topic.objects.filter(offered_at_signup=True)


def cancel_queued(subscriber: Subscriber, topic_ids) -> int:
    """Deliveries of those topics' emails still waiting for this subscriber are skipped."""
    return Delivery.objects.filter(
        subscriber=subscriber, issue__topic__in=topic_ids, status=Delivery.Status.QUEUED
    ).update(status=Delivery.Status.SKIPPED, last_error="Left this topic.")


@transaction.atomic
def set_topics(subscriber: Subscriber, topics) -> list[Topic]:
    """What the preferences page saves: exactly `topics` from now on. None at all means
    leaving the list. Returns what remains."""
    chosen = {topic.pk for topic in topics}
    before = set(subscriber.topics.values_list("pk", flat=True))
    if dropped := before - chosen:
        subscriber.topics.remove(*dropped)
        cancel_queued(subscriber, dropped)
    if added := chosen - before:
        subscriber.topics.add(*added)
    if not chosen:
        subscriber.unsubscribe()
    return list(subscriber.topics.all())


def leave(subscriber: Subscriber, topic_id: int | None) -> list[Topic]:
    """One-click unsubscribe: leave the email's topic (every topic when None, or when the
    link's topic no longer exists). Returns what remains."""
    if topic_id is None or not Topic.objects.filter(pk=topic_id).exists():
        return set_topics(subscriber, [])
    remaining = subscriber.topics.exclude(pk=topic_id)
    return set_topics(subscriber, list(remaining))


@dataclass(frozen=True)
class RemovalImpact:
    followers: int  # stop receiving this topic's emails
    left_with_nothing: int  # of those, active subscribers who follow nothing else


def _only_this(topic: Topic):
    """The topic's followers who follow nothing else (counted over all their topics, not
    through the join that found them)."""
    followers = Subscriber.objects.filter(topics=topic).values("pk")
    return (
        Subscriber.objects.filter(pk__in=followers)
        .annotate(n=Count("topics"))
        .filter(n=1)
        .order_by()
    )


def removal_impact(topic: Topic) -> RemovalImpact:
    alone = _only_this(topic).filter(status=Subscriber.Status.ACTIVE)
    return RemovalImpact(topic.subscribers.count(), alone.count())


@transaction.atomic
def remove_topic(topic: Topic) -> RemovalImpact:
    """Delete the topic. Its emails stay in the records (without a topic they can no longer
    be sent); followers who follow nothing else are unsubscribed."""
    impact = removal_impact(topic)
    alone = list(_only_this(topic).values_list("pk", flat=True))
    unsent = Issue.objects.filter(topic=topic, sending_started_at__isnull=True)
    unsent.update(send_at=None)
    Delivery.objects.filter(issue__topic=topic, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SKIPPED, last_error="Its topic was removed."
    )
    topic.delete()
    for subscriber in Subscriber.objects.filter(pk__in=alone).exclude(
        status=Subscriber.Status.UNSUBSCRIBED
    ):
        subscriber.unsubscribe()
    return impact


def followers_count(topic: Topic) -> int:
    return Subscriber.objects.active().filter(topics=topic).count()


def active_counts() -> dict[int, int]:
    """Active followers per topic id, one query (the topic admin's column)."""
    rows = (
        Topic.objects.annotate(
            n=Count(
                "subscribers",
                filter=Q(
                    subscribers__status=Subscriber.Status.ACTIVE,
                    subscribers__suppressed_at__isnull=True,
                ),
            )
        )
        .values_list("pk", "n")
        .order_by()
    )
    return dict(rows)
