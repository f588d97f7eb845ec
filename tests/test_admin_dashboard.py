"""The admin index as the author's dashboard, the lists' state filter, and "View on site"."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from core import previews
from core.models import Status
from newsletter.models import Delivery, Subscriber
from tests.factories import (
    IssueFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
    SubscriberFactory,
    ago,
)

pytestmark = pytest.mark.django_db

INDEX = "/admin/"


def later(**delta):
    return timezone.now() + datetime.timedelta(**delta)


@pytest.fixture
def author(client):
    user = get_user_model().objects.create_superuser("author", "author@example.com", "pw")
    client.force_login(user)
    return user


@pytest.fixture
def content(site):
    """Drafts, scheduled items, an issue sent to subscribers, and subscribers in every state."""
    project = ProjectFactory(name="Lambda API")
    items = {
        "draft_post": PostFactory(title="Half-written post", status=Status.DRAFT),
        "draft_release": ReleaseFactory(project=project, version="0.11.0", status=Status.DRAFT,
                                        title="Lambda API v0.11 notes"),
        "scheduled_post": PostFactory(title="Monday's post", published_at=later(days=3)),
        "scheduled_issue": IssueFactory(number=8, title="Next week's issue",
                                        published_at=later(days=6)),
        "published_post": PostFactory(title="Old news", published_at=ago(days=2)),
    }  # fmt: skip
    emailed = IssueFactory(number=7, title="Issue seven", published_at=ago(days=1))
    emailed.send_at = later(hours=5)
    emailed.save()
    sent = IssueFactory(number=6, title="Issue six", published_at=ago(days=7))
    sent.sending_started_at = ago(days=7)
    sent.save()
    older = IssueFactory(number=5, title="Issue five", published_at=ago(days=14))
    older.sending_started_at = ago(days=14)
    older.save()
    for status, count in [("active", 4), ("pending", 2), ("unsubscribed", 1), ("bounced", 1)]:
        SubscriberFactory.create_batch(count, status=status)
    Subscriber.objects.filter(status="pending").update(
        confirmation_error="550 5.1.1 User unknown", confirmation_failed_at=ago(hours=1)
    )
    Subscriber.objects.filter(status__in=["bounced", "unsubscribed"]).update(
        suppressed_at=ago(days=1), suppression_reason="Hard bounce: 5.1.1"
    )
    subscribers = list(Subscriber.objects.order_by("pk"))
    outcome = ["sent", "sent", "sent", "failed", "skipped"]
    Delivery.objects.bulk_create(
        Delivery(issue=sent, subscriber=subscriber, status=status)
        for subscriber, status in zip(subscribers, outcome, strict=False)
    )
    Delivery.objects.bulk_create(
        Delivery(issue=older, subscriber=s, status="sent") for s in subscribers[:2]
    )
    items["emailed_issue"] = emailed
    return items


def assert_no_inline_code(response):
    """The strict Content Security Policy holds: scripts and styles come from files."""
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
    assert "<style" not in html


def section(page, name):
    """The text of one dashboard box, whitespace collapsed."""
    (box,) = page.xpath(f'//section[contains(@class, "dashboard-{name}")]')
    return " ".join(box.text_content().split()), box


def links(element):
    return {" ".join(a.text_content().split()): a.get("href") for a in element.iter("a")}


def test_dashboard_shows_what_the_author_works_on(
    client, author, content, django_assert_num_queries
):
    # Session and user, the sidebar's recent actions, then one query per dashboard source:
    # drafts and scheduled items of posts, releases and issues (6), the scheduled email
    # sends, the last sent issue with its delivery counts, subscribers by status.
    with django_assert_num_queries(12):
        response = client.get(INDEX)
    assert response.status_code == 200
    assert_no_inline_code(response)
    page = lxml_html.fromstring(response.content.decode())

    write = links(page.xpath('//ul[contains(@class, "dashboard-write")]')[0])
    assert write == {
        "Write a post": reverse("admin:blog_post_add"),
        "Write a release": reverse("admin:projects_release_add"),
        "Write an issue": reverse("admin:newsletter_issue_add"),
    }

    text, box = section(page, "drafts")
    assert "Half-written post" in text
    assert "Lambda API v0.11 notes" in text
    assert "Monday's post" not in text
    assert "Old news" not in text
    drafts = links(box)
    draft_post = content["draft_post"]
    assert drafts["Half-written post"] == reverse("admin:blog_post_change", args=[draft_post.pk])
    assert previews.preview_path(draft_post) in drafts.values()

    text, box = section(page, "scheduled")
    rows = [" ".join(tr.text_content().split()) for tr in box.xpath(".//tbody/tr")]
    local = {name: timezone.localtime(content[name].published_at) for name in content}
    send_at = timezone.localtime(content["emailed_issue"].send_at)
    # Soonest first, each with its time: the email in 5 hours, the post in 3 days, the issue in 6.
    assert rows == [
        f"{send_at:%a %Y-%m-%d %H:%M} Issue seven sent to subscribers Newsletter email",
        f"{local['scheduled_post']:%a %Y-%m-%d %H:%M} Monday's post goes live Post Preview",
        # New posts go to the followers of "Every new post" when published (mailings).
        f"{local['scheduled_post']:%a %Y-%m-%d %H:%M} Monday's post sent to subscribers Email",
        f"{local['scheduled_issue']:%a %Y-%m-%d %H:%M} Next week's issue goes live Issue Preview",
    ]

    text, box = section(page, "newsletter")
    assert "Last issue: Issue six" in text  # the most recently sent, not Issue five
    assert "Delivered 3 of 5" in text
    assert "Failed 1" in text
    assert "Skipped 1" in text
    assert "Still queued 0" in text
    assert "Subscribers (8)" in text
    for label, count in [("Pending confirmation", 2), ("Active", 4), ("Unsubscribed", 1),
                         ("Bounced", 1)]:  # fmt: skip
        assert f"{label} {count}" in text
    assert f"?status__exact={Subscriber.Status.PENDING}" in links(box)["2"]
    refused = "2 confirmation emails refused by the mail server"
    assert f"{refused}: see the reasons, fix the address or send again." in text
    assert links(box)[refused] == reverse("admin:newsletter_subscriber_changelist") + (
        "?confirmation=failed"
    )
    suppressed = "2 addresses suppressed"
    assert (
        f"{suppressed} after bounces or complaints: no email goes to them until they sign" in text
    )
    assert links(box)[suppressed] == reverse("admin:newsletter_subscriber_changelist") + (
        "?suppressed=yes"
    )


def test_dashboard_puts_the_authors_apps_before_auth_and_the_rest(client, author, site):
    page = lxml_html.fromstring(client.get(INDEX).content.decode())
    captions = [" ".join(c.text_content().split()) for c in page.xpath("//caption")]
    assert captions[:3] == ["Blog", "Projects", "Newsletter"]
    assert captions.index("Authentication and Authorization") > 2


def test_an_empty_dashboard_says_so(client, author, site):
    page = lxml_html.fromstring(client.get(INDEX).content.decode())
    assert "No drafts." in section(page, "drafts")[0]
    assert "Nothing scheduled." in section(page, "scheduled")[0]
    text = section(page, "newsletter")[0]
    assert "No issue has been sent to subscribers yet." in text
    assert "Subscribers (0)" in text
    assert "refused" not in text


def test_dashboard_shows_only_what_the_user_may_see(client, content):
    user = get_user_model().objects.create_user("writer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_post", "add_post", "change_post"])
    )
    client.force_login(user)
    page = lxml_html.fromstring(client.get(INDEX).content.decode())
    assert links(page.xpath('//ul[contains(@class, "dashboard-write")]')[0]) == {
        "Write a post": reverse("admin:blog_post_add")
    }
    assert "Half-written post" in section(page, "drafts")[0]
    assert "Lambda API v0.11 notes" not in section(page, "drafts")[0]
    scheduled = section(page, "scheduled")[0]
    assert "Monday's post" in scheduled
    assert "Issue seven" not in scheduled
    assert not page.xpath('//section[contains(@class, "dashboard-newsletter")]')


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("admin:blog_post_changelist", ["Monday's post"]),
        # with the scheduled post's email (mailings.post_emails)
        ("admin:newsletter_issue_changelist", ["Next week's issue", "Monday's post"]),
    ],
)
def test_lists_filter_scheduled_items(client, author, content, url_name, expected):
    response = client.get(reverse(url_name), {"state": "scheduled"})
    assert response.status_code == 200
    assert [str(obj) for obj in response.context["cl"].result_list] == expected
    page = lxml_html.fromstring(response.content.decode())
    assert "Scheduled" in links(page.xpath('//*[@id="changelist-filter"]')[0])


def test_post_list_state_filter_draft_and_published(client, author, content):
    url = reverse("admin:blog_post_changelist")
    drafts = client.get(url, {"state": "draft"}).context["cl"].result_list
    assert [p.title for p in drafts] == ["Half-written post"]
    live = client.get(url, {"state": "published"}).context["cl"].result_list
    assert [p.title for p in live] == ["Old news"]


def view_on_site(client, obj):
    change = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    response = client.get(change)
    assert_no_inline_code(response)  # with the share-link script, when there is one
    page = lxml_html.fromstring(response.content.decode())
    hrefs = [a.get("href") for a in page.xpath('//a[normalize-space()="View on site"]')]
    assert len(hrefs) == 1, hrefs
    return hrefs[0]


@pytest.mark.parametrize("name", ["draft_post", "draft_release", "scheduled_issue"])
def test_view_on_site_of_an_unpublished_item_opens_its_preview(client, author, content, name):
    obj = content[name]
    href = view_on_site(client, obj)
    assert href == previews.preview_path(obj)
    response = client.get(href)
    assert response.status_code == 200
    text = lxml_html.fromstring(response.content.decode()).text_content()
    assert "Preview" in text
    assert str(obj) in text


def test_view_on_site_of_a_published_post_opens_the_post(client, author, content):
    post = content["published_post"]
    href = view_on_site(client, post)
    assert href == post.get_absolute_url()
    assert client.get(href).status_code == 200
