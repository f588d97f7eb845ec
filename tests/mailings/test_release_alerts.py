"""Release alerts (mailings.release_alerts): publishing a release emails its project's
followers exactly once, a scheduled one when its time arrives; editing it afterwards sends
nothing again; old releases arriving now (imports) send nothing. The project's page offers
"Email me new releases of …" with the usual double opt-in. A real SMTP server on loopback
and the real worker."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import Status
from mailings import project_topics, release_alerts
from newsletter import subscriptions, tokens
from newsletter.models import Delivery, Issue, Subscriber, Topic
from tests.factories import ProjectFactory, ReleaseFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(site):
    return ProjectFactory(
        name="Lambda API", slug="lambda-api", repository_url="https://github.com/a/b"
    )


@pytest.fixture
def followers(project):
    topic = project_topics.topic_for(project)
    readers = [SubscriberFactory(email=f"fan{i}@example.org") for i in range(3)]
    for reader in readers[:2]:
        reader.topics.add(topic)
    return readers[:2]


def alerts_to(smtp, address):
    return [m for m in smtp.to(address) if "released" in m["Subject"]]


def test_each_project_has_a_releases_topic_that_follows_its_name(project):
    topic = project_topics.topic_for(project)
    assert topic.name == "New releases of Lambda API"
    assert topic.kind == Topic.Kind.RELEASES
    project.name = "Lambda Router"
    project.slug = "lambda-router"
    project.save()
    topic.refresh_from_db()
    assert topic.name == "New releases of Lambda Router"  # same key: followers kept


def test_publishing_a_release_emails_its_followers_once(project, followers, smtp, run_worker):
    release = ReleaseFactory(
        project=project,
        version="0.10.0",
        published_at=timezone.now(),
        summary="Faster cold starts.",
        notes="### Added\n\n- A router\n",
    )
    run_worker()
    for reader in followers:
        [message] = alerts_to(smtp, reader.email)
        assert message["Subject"] == "Lambda API v0.10.0 released"
        text = message.get_body(("plain",)).get_content()
        assert "Faster cold starts." in text
        assert "A router" in text
        assert f"http://127.0.0.1:8000{release.get_absolute_url()}" in text
        assert "Unsubscribe from this" in text
        html = message.get_body(("html",)).get_content()
        assert "Lambda API release" in html  # the kicker
    assert alerts_to(smtp, "fan2@example.org") == []  # not a follower

    # Edited afterwards, saved again, published again: nothing more.
    release.notes += "\n- A fix\n"
    release.save()
    release.status = Status.DRAFT
    release.save()
    release.status = Status.PUBLISHED
    release.save()
    run_worker()
    assert [len(alerts_to(smtp, r.email)) for r in followers] == [1, 1]
    assert Issue.objects.filter(kind=Issue.Kind.RELEASE).count() == 1


def test_a_scheduled_release_is_sent_when_its_time_arrives(project, followers, smtp, run_worker):
    when = timezone.now() + datetime.timedelta(hours=3)
    release = ReleaseFactory(project=project, version="1.0.0", published_at=when)
    run_worker()
    assert alerts_to(smtp, followers[0].email) == []
    alert = release_alerts.alert_for(release)
    assert alert.send_at == when

    # Moved an hour later: the alert moves with it.
    later = when + datetime.timedelta(hours=1)
    release.published_at = later
    release.save()
    alert.refresh_from_db()
    assert alert.send_at == later
    with time_machine.travel(when + datetime.timedelta(minutes=5)):
        run_worker()
    assert alerts_to(smtp, followers[0].email) == []
    with time_machine.travel(later + datetime.timedelta(minutes=1)):
        run_worker()
    assert [len(alerts_to(smtp, r.email)) for r in followers] == [1, 1]


def test_a_scheduled_release_turned_back_into_a_draft_sends_nothing(
    project, followers, smtp, run_worker
):
    when = timezone.now() + datetime.timedelta(hours=1)
    release = ReleaseFactory(project=project, version="2.0.0", published_at=when)
    release.status = Status.DRAFT
    release.save()
    with time_machine.travel(when + datetime.timedelta(minutes=1)):
        run_worker()
    assert alerts_to(smtp, followers[0].email) == []


def test_an_old_release_arriving_now_sends_nothing(project, followers, smtp, run_worker):
    release = ReleaseFactory(project=project, version="0.1.0",
                             published_at=timezone.now() - datetime.timedelta(days=30))  # fmt: skip
    run_worker()
    assert smtp.messages == []
    assert release_alerts.alert_for(release) is None
    note = release_alerts.status_note(None, release)
    assert "more than two days old" in note


def test_two_saves_at_once_make_one_alert(project, followers):
    release = ReleaseFactory(project=project, version="3.0.0", published_at=timezone.now())
    # A second process saving the same release finds the alert and adds nothing.
    Issue.objects.filter(source_key=f"release:{release.pk}").update(sending_started_at=None)
    assert release_alerts.ensure_alert(release).pk == release_alerts.alert_for(release).pk
    assert Issue.objects.filter(kind=Issue.Kind.RELEASE).count() == 1
    assert Delivery.objects.count() == 2


def test_the_release_admin_page_says_what_the_alert_did(
    admin_client, project, followers, run_worker, smtp
):
    release = ReleaseFactory(project=project, version="0.11.0", published_at=timezone.now())
    run_worker()
    page = admin_client.get(reverse("admin:projects_release_change", args=[release.pk]))
    html = page.content.decode()
    assert "Release alert sent to 2 follower(s)" in html
    assert "Preview alert email" in html


def test_the_project_page_offers_its_releases_with_double_opt_in(client, project, smtp, run_worker):
    html = client.get(project.get_absolute_url()).content.decode()
    assert "Email me new releases of Lambda API" in html
    assert f'name="topics" value="{project.releases_topic_key}"' in html
    response = client.post(
        reverse("newsletter:subscribe"),
        {
            "email": "newfan@example.org",
            "topics": [project.releases_topic_key],
            "source": "project",
        },
    )
    assert response.status_code == 302
    fan = subscriptions.find("newfan@example.org")
    assert fan.status == Subscriber.Status.PENDING
    assert [t.key for t in fan.topics.all()] == [project.releases_topic_key]
    run_worker()
    [confirmation] = smtp.to("newfan@example.org")
    assert "New releases of Lambda API" in confirmation.get_body(("plain",)).get_content()
    client.post(reverse("newsletter:confirm", args=[tokens.confirm_token(fan)]))
    fan.refresh_from_db()
    assert fan.status == Subscriber.Status.ACTIVE

    ReleaseFactory(project=project, version="0.12.0", published_at=timezone.now())
    run_worker()
    assert len(alerts_to(smtp, "newfan@example.org")) == 1
    # Not the newsletter: an issue does not reach them.
    assert (
        Issue.objects.filter(kind=Issue.Kind.RELEASE).get().topic.key == project.releases_topic_key
    )


def test_deleting_a_project_removes_its_topic_and_unsubscribes_those_left_with_nothing(project):
    only = SubscriberFactory(email="only.fan@example.org")
    only.topics.set([project_topics.topic_for(project)])
    project.delete()
    only.refresh_from_db()
    assert only.status == Subscriber.Status.UNSUBSCRIBED
    assert not Topic.objects.filter(kind=Topic.Kind.RELEASES).exists()
