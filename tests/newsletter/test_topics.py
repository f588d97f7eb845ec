"""Topics (newsletter.topics): every email goes to its topic's active followers; one-click
unsubscribe leaves the email's topic only; the signed preferences page changes topics or
leaves everything; an erased subscriber's link is a 404 that says nothing; removing a
topic says what it does and unsubscribes those left with nothing; an active subscriber
asking for a topic confirms it by email. A real SMTP server on loopback."""

import pytest
from django.urls import reverse

from newsletter import sending, subscriptions, tokens, topics
from newsletter.models import Delivery, Subscriber, Topic
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def releases_topic():
    return Topic.objects.create(key="project-9-releases", name="New releases of Lambda API",
                                kind=Topic.Kind.RELEASES)  # fmt: skip


def preferences_url(subscriber, topic=None):
    token = tokens.unsubscribe_token(subscriber, topic.pk if topic else None)
    return reverse("newsletter:preferences", args=[token])


def unsubscribe_url(subscriber, topic=None):
    token = tokens.unsubscribe_token(subscriber, topic.pk if topic else None)
    return reverse("newsletter:unsubscribe", args=[token])


def test_the_default_topics_exist_and_new_subscribers_get_the_newsletter(site):
    assert set(Topic.objects.values_list("key", flat=True)) == {"newsletter", "posts"}
    subscriber = SubscriberFactory()
    assert [t.key for t in subscriber.topics.all()] == ["newsletter"]
    [bulk] = Subscriber.objects.create_many([Subscriber(email="bulk@example.org")])
    assert [t.key for t in bulk.topics.all()] == ["newsletter"]


def test_an_email_goes_only_to_its_topics_active_followers(site, releases_topic, smtp, run_worker):
    follower = SubscriberFactory(email="follower@example.org")
    follower.topics.set([releases_topic])
    both = SubscriberFactory(email="both@example.org")
    both.topics.add(releases_topic)
    newsletter_only = SubscriberFactory(email="newsletter@example.org")
    left = SubscriberFactory(email="left@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    left.topics.add(releases_topic)

    alert = IssueFactory(number=None, kind="release", topic=releases_topic, title="v1 is out")
    assert sending.start_sending(alert) == 2
    issue = IssueFactory(number=7)
    assert sending.start_sending(issue) == 2
    run_worker()
    received = {
        address: [m["Subject"] for m in smtp.to(address)]
        for address in {recipient for recipient, _ in smtp.messages}
    }
    assert received == {
        "follower@example.org": ["v1 is out"],
        "both@example.org": ["v1 is out", issue.title],
        newsletter_only.email: [issue.title],
    }


def test_one_click_unsubscribe_leaves_only_the_emails_topic(
    client, site, releases_topic, smtp, run_worker
):
    reader = SubscriberFactory(email="reader@example.org")
    reader.topics.add(releases_topic)
    alert = IssueFactory(number=None, kind="release", topic=releases_topic, title="v2 is out")
    sending.start_sending(alert)
    run_worker()
    [message] = smtp.to("reader@example.org")
    link = message["List-Unsubscribe"].split(">")[0].lstrip("<")
    text = message.get_body(("plain",)).get_content()
    assert "Unsubscribe from this: " + link in text
    assert "Choose what you receive: http://127.0.0.1:8000/newsletter/preferences/" in text

    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the link.
    response = client.post(
        link.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "no more “New releases of Lambda API”" in page
    assert "The newsletter" in page  # what remains is said
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE
    assert [t.key for t in reader.topics.all()] == ["newsletter"]

    # Leaving the last topic is unsubscribing.
    client.post(unsubscribe_url(reader, topics.newsletter_topic()))
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED


def test_a_link_without_a_topic_still_leaves_everything(client, site, releases_topic):
    reader = SubscriberFactory()
    reader.topics.add(releases_topic)
    client.post(unsubscribe_url(reader))
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert not reader.topics.exists()


def test_leaving_a_topic_skips_what_is_still_queued_for_it(site, releases_topic):
    reader = SubscriberFactory()
    reader.topics.add(releases_topic)
    alert = IssueFactory(number=None, kind="release", topic=releases_topic)
    issue = IssueFactory(number=3)
    sending.start_sending(alert)
    sending.start_sending(issue)
    topics.leave(reader, releases_topic.pk)
    statuses = dict(Delivery.objects.values_list("issue_id", "status"))
    assert statuses == {alert.pk: "skipped", issue.pk: "queued"}


def test_the_preferences_page_changes_topics_and_can_leave_everything(client, site, releases_topic):
    reader = SubscriberFactory(email="prefs@example.org")
    url = preferences_url(reader)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "prefs@example.org" in html
    assert "New releases of Lambda API" in html
    assert "Every new post" in html
    assert page["Cache-Control"].startswith("max-age=0")
    assert 'name="robots" content="noindex"' in html

    posts = topics.posts_topic()
    response = client.post(url, {"topics": [releases_topic.pk, posts.pk]})
    assert "Saved. You receive:" in response.content.decode()
    assert set(reader.topics.values_list("key", flat=True)) == {"project-9-releases", "posts"}

    client.post(url, {"topics": []})  # nothing ticked: unsubscribed
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert "sign up again" in client.get(url).content.decode()


def test_the_leave_button_unsubscribes_from_everything(client, site):
    reader = SubscriberFactory()
    client.post(preferences_url(reader), {"leave": "1", "topics": [topics.posts_topic().pk]})
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert not reader.topics.exists()


def test_an_erased_subscribers_preferences_link_is_a_404_that_reveals_nothing(client, site):
    reader = SubscriberFactory(email="erased@example.org")
    url = preferences_url(reader)
    Subscriber.objects.filter(pk=reader.pk).delete()
    SubscriberFactory(email="someone.else@example.org")  # may reuse nothing
    forged = client.get(reverse("newsletter:preferences", args=["1.abc:forged"]))
    response = client.get(url)
    assert response.status_code == forged.status_code == 404
    assert "erased@example.org" not in response.content.decode()
    assert "<h1>This link does not work any more</h1>" in response.content.decode()
    assert "<h1>This link does not work any more</h1>" in forged.content.decode()
    assert client.post(url, {"leave": "1"}).status_code == 404


def test_a_tampered_topic_in_a_link_is_refused(client, site, releases_topic):
    reader = SubscriberFactory()
    token = tokens.unsubscribe_token(reader, releases_topic.pk)
    value, _, signature = token.rpartition(":")
    other = f"{value.rpartition('.')[0]}.{topics.newsletter_topic().pk}:{signature}"
    assert client.post(reverse("newsletter:unsubscribe", args=[other])).status_code == 404
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE


def test_the_newsletter_page_offers_the_topics_the_author_chose(client, site, releases_topic):
    releases_topic.offered_at_signup = True
    releases_topic.save()
    html = client.get(reverse("newsletter:index")).content.decode()
    assert 'value="project-9-releases"' in html
    assert 'value="newsletter" id="signup-topic-newsletter-newsletter" checked' in html
    assert 'value="posts"' not in html  # not offered

    client.post(
        reverse("newsletter:subscribe"),
        {"email": "chooser@example.org", "topics": ["project-9-releases"], "choosing": "1"},
    )
    chooser = subscriptions.find("chooser@example.org")
    assert [t.key for t in chooser.topics.all()] == ["project-9-releases"]


def test_choosing_no_topic_or_an_unknown_one_is_refused_and_stores_nothing(client, site):
    url = reverse("newsletter:subscribe")
    none = client.post(url, {"email": "a@example.org", "choosing": "1"})
    assert none.status_code == 400
    assert "Choose at least one thing to receive." in none.content.decode()
    unknown = client.post(url, {"email": "b@example.org", "topics": ["no-such-topic"]})
    assert unknown.status_code == 400
    assert "out of date" in unknown.content.decode()
    assert not Subscriber.objects.exists()


def test_an_active_subscriber_asking_for_a_topic_confirms_it_by_email(
    client, site, releases_topic, smtp, run_worker
):
    reader = SubscriberFactory(email="active@example.org")
    response = client.post(
        reverse("newsletter:subscribe"),
        {"email": "active@example.org", "topics": ["project-9-releases"], "source": "project"},
    )
    assert response.status_code == 302  # the same answer as any signup
    reader.refresh_from_db()
    assert reader.pending_topics == ["project-9-releases"]
    assert [t.key for t in reader.topics.all()] == ["newsletter"]  # not yet
    run_worker()
    [message] = smtp.to("active@example.org")
    text = message.get_body(("plain",)).get_content()
    assert message["Subject"].startswith("Confirm")
    assert "New releases of Lambda API" in text
    assert "nothing changes" in text
    confirm = next(w for w in text.split() if "/newsletter/confirm/" in w)
    client.post(confirm.removeprefix("http://127.0.0.1:8000"))
    reader.refresh_from_db()
    assert set(reader.topics.values_list("key", flat=True)) == {"newsletter", "project-9-releases"}
    assert reader.pending_topics == []
    run_worker()
    assert [m["Subject"] for m in smtp.to("active@example.org")] == [message["Subject"]]


def test_asking_for_what_one_already_follows_sends_nothing(site, smtp, run_worker):
    SubscriberFactory(email="same@example.org")
    subscriptions.signup("same@example.org", topics=[topics.newsletter_topic()])
    run_worker()
    assert smtp.to("same@example.org") == []


def test_removing_a_topic_says_what_it_does_then_unsubscribes_those_left_with_nothing(
    admin_client, site, releases_topic
):
    only = SubscriberFactory(email="only@example.org")
    only.topics.set([releases_topic])
    both = SubscriberFactory(email="both@example.org")
    both.topics.add(releases_topic)
    url = reverse("admin:newsletter_topic_delete", args=[releases_topic.pk])
    page = admin_client.get(url).content.decode()
    assert "<strong>2</strong> subscribers will stop receiving" in page
    assert "<strong>1</strong> of them follow nothing else and will be unsubscribed" in page

    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert "2 subscriber(s) no longer receive" in response.content.decode()
    only.refresh_from_db()
    both.refresh_from_db()
    assert only.status == Subscriber.Status.UNSUBSCRIBED
    assert both.status == Subscriber.Status.ACTIVE
    assert not Topic.objects.filter(pk=releases_topic.pk).exists()


def test_the_newsletter_topic_cannot_be_removed(admin_client, site):
    url = reverse("admin:newsletter_topic_delete", args=[topics.newsletter_topic().pk])
    assert admin_client.get(url).status_code == 403


def test_the_subscriber_admin_says_what_remains_and_empty_means_unsubscribed(
    admin_client, site, releases_topic
):
    reader = SubscriberFactory(email="admin.edit@example.org")
    url = reverse("admin:newsletter_subscriber_change", args=[reader.pk])
    assert "New releases of Lambda API" in admin_client.get(url).content.decode()
    response = admin_client.post(
        url, {"email": reader.email, "name": "", "status": "active", "source": "test"}, follow=True
    )
    assert "follows no topic any more, so it is unsubscribed" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
