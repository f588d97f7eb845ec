"""Posts by email (mailings.post_emails): "Send to subscribers" on a post's admin page,
full text or excerpt, now or when a scheduled post is published, once; new posts emailed by
themselves when the site settings say so, never an old one arriving (an import). A real
SMTP server on loopback and the real worker."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import Status
from mailings import post_emails
from newsletter import topics
from newsletter.models import Issue
from tests.factories import PostFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_site(site):
    site.email_new_posts = False
    site.save()
    return site


@pytest.fixture
def post_followers(site):
    readers = [SubscriberFactory(email=f"postfan{i}@example.org") for i in range(2)]
    for reader in readers:
        reader.topics.add(topics.posts_topic())
    SubscriberFactory(email="newsletter.only@example.org")
    return readers


BODY = "Cold starts are **slow**.\n\n![A chart](/media/chart.png)\n\nMore in [the docs](/docs/).\n"


def send_page(post):
    return reverse("mailings:send_post", args=[post.pk])


def test_send_to_subscribers_from_the_post_admin_full_text(
    admin_client, quiet_site, post_followers, smtp, run_worker
):
    post = PostFactory(title="Cold starts", slug="cold-starts", body=BODY,
                       published_at=timezone.now() - datetime.timedelta(days=20))  # fmt: skip
    change = admin_client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    assert "Send to subscribers" in change
    assert "Not sent by email." in change
    page = admin_client.get(send_page(post)).content.decode()
    assert "<strong>2</strong> active subscribers" in page
    assert "post-full" in page
    assert "post-excerpt" in page

    response = admin_client.post(send_page(post), {"content": "full"})
    assert response.status_code == 302
    run_worker()
    [message] = smtp.to("postfan0@example.org")
    assert message["Subject"] == "Cold starts"
    text = message.get_body(("plain",)).get_content()
    assert "Cold starts are slow." in text
    assert "the docs (http://127.0.0.1:8000/docs/)" in text
    html = message.get_body(("html",)).get_content()
    assert 'src="http://127.0.0.1:8000/media/chart.png"' in html
    assert "View in browser" in html
    assert "/posts/cold-starts/" in html
    assert smtp.to("newsletter.only@example.org") == []

    # The post shows it was sent, and cannot be sent twice.
    change = admin_client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    assert "Sent by email to 2 subscriber(s)" in change
    again = admin_client.post(send_page(post), {"content": "full"})
    assert again.status_code == 302
    assert "issue" in again["Location"]
    assert Issue.objects.filter(kind=Issue.Kind.POST).count() == 1


def test_the_excerpt_with_continue_reading(
    admin_client, quiet_site, post_followers, smtp, run_worker
):
    post = PostFactory(title="Pools", slug="pools", body=BODY, excerpt="Why pools matter.",
                       published_at=timezone.now() - datetime.timedelta(days=3))  # fmt: skip
    admin_client.post(send_page(post), {"content": "excerpt"})
    run_worker()
    [message] = smtp.to("postfan1@example.org")
    text = message.get_body(("plain",)).get_content()
    assert "Why pools matter." in text
    assert "Continue reading → (http://127.0.0.1:8000/posts/pools/)" in text
    assert "Cold starts are slow" not in text


def test_a_scheduled_post_is_sent_when_it_is_published(
    admin_client, quiet_site, post_followers, smtp, run_worker
):
    when = timezone.now() + datetime.timedelta(hours=2)
    post = PostFactory(title="Tomorrow", slug="tomorrow", published_at=when)
    page = admin_client.get(send_page(post)).content.decode()
    assert "It goes when the post is published" in page
    admin_client.post(send_page(post), {"content": "full"})
    run_worker()
    assert smtp.messages == []
    email = post_emails.email_for(post)
    assert email.send_at == when
    with time_machine.travel(when + datetime.timedelta(minutes=1)):
        run_worker()
    assert len(smtp.to("postfan0@example.org")) == 1


def test_a_draft_cannot_be_sent(admin_client, quiet_site, post_followers):
    post = PostFactory(status=Status.DRAFT)
    assert "This post is a draft" in admin_client.get(send_page(post)).content.decode()
    admin_client.post(send_page(post), {"content": "full"})
    assert not Issue.objects.filter(kind=Issue.Kind.POST).exists()


def test_new_posts_are_emailed_by_themselves_when_the_settings_say_so(
    site, post_followers, smtp, run_worker
):
    assert site.email_new_posts  # the default
    new = PostFactory(title="Fresh", slug="fresh", published_at=timezone.now())
    PostFactory(title="Imported", slug="imported",
                published_at=timezone.now() - datetime.timedelta(days=400))  # fmt: skip
    draft = PostFactory(
        title="Draft", slug="draft", status=Status.DRAFT, published_at=timezone.now()
    )
    run_worker()
    assert [m["Subject"] for m in smtp.to("postfan0@example.org")] == ["Fresh"]
    new.title = "Fresh, edited"
    new.save()  # edited afterwards: not again
    draft.status = Status.PUBLISHED
    draft.save()  # published now: its email goes
    run_worker()
    assert [m["Subject"] for m in smtp.to("postfan0@example.org")] == ["Fresh", "Draft"]


def test_a_user_without_permission_cannot_send(client, quiet_site, django_user_model):
    user = django_user_model.objects.create_user("writer", password="pw", is_staff=True)
    client.force_login(user)
    post = PostFactory()
    assert client.post(send_page(post), {"content": "full"}).status_code == 403
