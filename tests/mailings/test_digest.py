"""The next issue drafted from what was published (newsletter.digest, with the posts and
releases mailings registers): `manage.py draft_issue` prints the new number, never repeats
an item, refuses an empty draft and says so; the admin button does the same; the author's
template shapes it; the schedule drafts once per time and emails the author, and sends only
when told to. A real SMTP server on loopback."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from core.models import SiteSettings, Status
from newsletter import digest, digest_schedule, sending
from newsletter.models import DigestItem, Issue, SavedLink
from tests.factories import (
    IssueFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db


def recent(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


@pytest.fixture
def quiet(site):
    site.email_new_posts = False
    site.save()
    return site


@pytest.fixture
def sent_issue(quiet):
    with time_machine.travel(recent(days=10)):
        issue = IssueFactory(number=4, published_at=timezone.now())
        sending.start_sending(issue)
    return issue


def draft(*args) -> str:
    out = io.StringIO()
    call_command("draft_issue", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_draft_issue_lists_what_was_published_since_the_last_sent_issue(sent_issue):
    PostFactory(title="Too old", slug="too-old", published_at=recent(days=20))
    PostFactory(
        title="Cold starts", slug="cold-starts", excerpt="Measured.", published_at=recent(days=3)
    )
    PostFactory(
        title="Later", slug="later", published_at=timezone.now() + datetime.timedelta(days=1)
    )
    PostFactory(
        title="Unfinished", slug="unfinished", status=Status.DRAFT, published_at=recent(days=1)
    )
    project = ProjectFactory(name="Lambda API")
    ReleaseFactory(
        project=project, version="0.10.0", summary="A router.", published_at=recent(days=2)
    )
    SavedLink.objects.create(url="https://example.org/pools", title="On pools", note="Worth it.")

    assert draft() == "5"
    issue = Issue.objects.get(number=5)
    assert issue.status == Status.DRAFT
    assert issue.subtitle == "1 post, 1 release and 1 link"
    assert "[Cold starts](http://127.0.0.1:8000/posts/cold-starts/)**: Measured." in issue.body
    assert "Lambda API v0.10.0 released" in issue.body
    assert "A router." in issue.body
    assert "[On pools](https://example.org/pools): Worth it." in issue.body
    for absent in ("Too old", "Later", "Unfinished"):
        assert absent not in issue.body
    assert ">New posts</h2>" in issue.body_html

    # Nothing new since: refused, said, nothing created.
    with pytest.raises(CommandError, match="Nothing new was published since Issue #4 was sent"):
        draft()
    assert Issue.objects.count() == 2


def test_an_item_is_never_carried_twice(sent_issue):
    PostFactory(title="First", slug="first", published_at=recent(days=2))
    draft()
    PostFactory(title="Second", slug="second", published_at=recent(hours=1))
    draft()
    second = Issue.objects.get(number=6)
    assert "Second" in second.body
    assert "First" not in second.body
    keys = list(DigestItem.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 2

    # Deleting a draft frees its items for the next one.
    second.delete()
    assert "Second" in Issue.objects.get(number=draft() and 6).body


def test_the_authors_template_shapes_the_draft_and_errors_are_said(sent_issue):
    site = SiteSettings.get_solo()
    site.digest_template = (
        "# Week {{ number }}\n{% for post in posts %}* {{ post.title }}\n{% endfor %}"
    )
    site.save()
    PostFactory(title="Tips & tricks", slug="tips", published_at=recent(days=1))
    draft()
    assert Issue.objects.get(number=5).body == "# Week 5\n* Tips & tricks\n"
    site.digest_template = "{% for post in posts %}"
    site.save()
    PostFactory(title="More", slug="more", published_at=recent(hours=2))
    with pytest.raises(CommandError, match="The next issue template has an error"):
        draft()


def test_without_a_sent_issue_the_first_draft_looks_back_a_week(quiet):
    PostFactory(title="Ancient", slug="ancient", published_at=recent(days=30))
    PostFactory(title="This week", slug="this-week", published_at=recent(days=2))
    assert draft() == "1"
    body = Issue.objects.get().body
    assert "This week" in body
    assert "Ancient" not in body


def test_the_admin_button_drafts_or_says_why_not(admin_client, sent_issue):
    changelist = admin_client.get(reverse("admin:newsletter_issue_changelist")).content.decode()
    assert "Draft the next issue" in changelist
    url = reverse("admin:newsletter_draft_next")
    response = admin_client.post(url, follow=True)
    assert "Nothing new was published since Issue #4 was sent" in response.content.decode()
    PostFactory(title="News", slug="news", published_at=recent(hours=3))
    response = admin_client.post(url)
    issue = Issue.objects.get(number=5)
    assert response["Location"] == reverse("admin:newsletter_issue_change", args=[issue.pk])
    assert admin_client.get(url).status_code == 405  # a POST only


def test_the_schedule_drafts_once_per_time_and_emails_the_author(
    sent_issue, smtp, run_worker, django_user_model
):
    django_user_model.objects.create_user("author", "author@example.org", "pw", is_staff=True)
    site = SiteSettings.get_solo()
    monday = timezone.localtime(timezone.now()).date()
    monday -= datetime.timedelta(days=monday.weekday())
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time(6, 0)))
    with time_machine.travel(start, tick=False):
        site.digest_weekday, site.digest_time = "0", datetime.time(7, 0)
        site.save()  # arms the schedule
        armed = SiteSettings.get_solo().digest_next_at
        assert timezone.localtime(armed).strftime("%a %H:%M") == "Mon 07:00"
        site.save()  # saved again: still one task
        PostFactory(title="Weekly news", slug="weekly", published_at=recent(hours=2))
    with time_machine.travel(armed + datetime.timedelta(minutes=1), tick=False):
        run_worker()
    [note] = smtp.to("author@example.org")
    assert note["Subject"] == "[Warm Start] Issue #5 is ready for your review"
    assert f"/admin/newsletter/issue/{Issue.objects.get(number=5).pk}/change/" in note.get_content()
    assert Issue.objects.get(number=5).status == Status.DRAFT
    assert Issue.objects.count() == 2  # one draft, though two tasks may have been queued
    following = SiteSettings.get_solo().digest_next_at
    assert following == armed + datetime.timedelta(days=7)

    # A stale task for a time no longer armed does nothing.
    assert "not the armed time" in digest_schedule.run(
        armed.isoformat(), lambda at: None, lambda *a: None
    )


def test_the_schedule_sends_at_once_only_when_the_author_said_so(sent_issue, smtp, run_worker):
    SubscriberFactory(email="reader@example.org")
    site = SiteSettings.get_solo()
    site.digest_weekday, site.digest_auto_send = str(timezone.localtime().weekday()), True
    site.digest_time = (timezone.localtime() + datetime.timedelta(minutes=1)).time()
    site.save()
    PostFactory(title="Auto", slug="auto", published_at=recent(hours=1))
    at = SiteSettings.get_solo().digest_next_at
    with time_machine.travel(at + datetime.timedelta(minutes=1), tick=False):
        run_worker()
    issue = Issue.objects.get(number=5)
    assert issue.status == Status.PUBLISHED
    assert issue.sending_started_at is not None
    assert [m["Subject"] for m in smtp.to("reader@example.org")] == [issue.title]


def test_a_scheduled_time_with_nothing_new_tells_the_author_and_drafts_nothing(sent_issue, smtp):
    site = SiteSettings.get_solo()
    site.email = "me@example.org"
    site.digest_weekday = "2"
    site.save()
    at = SiteSettings.get_solo().digest_next_at
    result = digest_schedule.run(at.isoformat(), lambda at: None, lambda *a: None, now=at)
    assert "Nothing new" in result
    [note] = smtp.to("me@example.org")
    assert note["Subject"].startswith("[Warm Start] No newsletter draft this time")
    assert Issue.objects.count() == 1


def test_new_entries_come_from_every_registered_source(sent_issue):
    PostFactory(title="P", slug="p", published_at=recent(days=1))
    sections = {entry.section for entry in digest.new_entries()}
    assert sections == {"posts"}
