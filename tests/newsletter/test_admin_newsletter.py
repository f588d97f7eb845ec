"""The author's side of the newsletter in the admin: test sends, sending with confirmation
and progress, scheduling, subscribers' CSV import and export, erasure on request."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import Status
from newsletter import sending, tasks, tokens
from newsletter.models import Delivery, Issue, Subscriber
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client, site):
    user = get_user_model().objects.create_superuser("author", "author@example.com", "pw")
    client.force_login(user)
    return user


def send_url(issue):
    return reverse("admin:newsletter_issue_send", args=[issue.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def assert_no_inline_code(response):
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
    assert "<style" not in html


def test_issue_page_links_to_sending(client, author):
    issue = IssueFactory()
    html = client.get(reverse("admin:newsletter_issue_change", args=[issue.pk])).content.decode()
    assert send_url(issue) in html
    assert "Not sent" in html


def test_send_a_test_to_the_logged_in_author(client, author, mailoutbox):
    issue = IssueFactory(number=7, status=Status.DRAFT)
    response = client.post(
        reverse("admin:newsletter_issue_send_test", args=[issue.pk]), follow=True
    )
    assert "Sent a test of Issue #7 to author@example.com." in messages_of(response)
    [message] = mailoutbox
    assert message.to == ["author@example.com"]
    assert message.subject == "[Test] Warm Start: Issue #7"
    assert "List-Unsubscribe" not in message.extra_headers
    assert not issue.deliveries.exists()
    assert client.get(reverse("admin:newsletter_issue_send_test", args=[issue.pk])).status_code == (
        405
    )


def test_send_test_action_from_the_list(client, author, mailoutbox):
    issue = IssueFactory(number=3)
    client.post(
        reverse("admin:newsletter_issue_changelist"),
        {"action": "send_test", "_selected_action": [issue.pk]},
    )
    assert [m.subject for m in mailoutbox] == ["[Test] Warm Start: Issue #3"]


def test_sending_asks_for_confirmation_then_queues_one_delivery_each(
    client, author, run_worker, mailoutbox
):
    SubscriberFactory.create_batch(3)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    issue = IssueFactory(number=4)

    response = client.post(
        reverse("admin:newsletter_issue_changelist"),
        {"action": "send_to_subscribers", "_selected_action": [issue.pk]},
    )
    assert response["Location"] == send_url(issue)
    page = client.get(send_url(issue))
    html = page.content.decode()
    assert "<strong>3</strong> active subscribers" in html
    assert "Yes, send Issue #4 to subscribers" in html
    assert_no_inline_code(page)
    assert not issue.deliveries.exists()  # nothing before the confirmation

    response = client.post(send_url(issue), {"when": "now"}, follow=True)
    assert "Sending Issue #4 to 3 subscribers." in messages_of(response)
    assert issue.deliveries.count() == 3
    html = response.content.decode()
    assert "0 of 3 sent, 3 queued" in html
    assert '<meta http-equiv="refresh" content="5">' in html

    run_worker()
    page = client.get(send_url(issue))
    assert "3 of 3 sent" in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert len(mailoutbox) == 3
    listing = client.get(reverse("admin:newsletter_issue_changelist")).content.decode()
    assert "3 of 3 sent" in listing

    # A second confirmation does nothing.
    response = client.post(send_url(issue), {"when": "now"}, follow=True)
    assert any("already sent" in m for m in messages_of(response))
    assert issue.deliveries.count() == 3


def test_failures_and_their_reasons_show_on_the_progress_page(client, author):
    issue = IssueFactory()
    subscriber = SubscriberFactory(email="gone@example.com")
    Delivery.objects.create(
        issue=issue, subscriber=subscriber, status="failed", attempts=1, last_error="550 No"
    )
    html = client.get(send_url(issue)).content.decode()
    assert "gone@example.com" in html
    assert "550 No" in html
    assert "0 of 1 sent, 1 failed" in html


def test_a_draft_is_not_sent(client, author):
    SubscriberFactory()
    issue = IssueFactory(status=Status.DRAFT)
    assert "is a draft" in client.get(send_url(issue)).content.decode()
    response = client.post(send_url(issue), {"when": "now"}, follow=True)
    assert any("not published" in m for m in messages_of(response))
    assert not issue.deliveries.exists()


def test_scheduling_and_cancelling(client, author):
    issue = IssueFactory()
    when = timezone.localtime() + datetime.timedelta(days=1)
    response = client.post(
        send_url(issue), {"when": "later", "send_at": when.strftime("%Y-%m-%dT%H:%M")}, follow=True
    )
    issue.refresh_from_db()
    assert issue.send_at is not None
    assert abs(issue.send_at - when) < datetime.timedelta(minutes=1)
    assert any("will be sent at" in m for m in messages_of(response))
    assert (
        "Scheduled for" in client.get(reverse("admin:newsletter_issue_changelist")).content.decode()
    )
    task = DBTaskResult.objects.get(task_path__endswith="start_scheduled_send")
    assert task.run_after == issue.send_at

    client.post(reverse("admin:newsletter_issue_cancel_schedule", args=[issue.pk]))
    issue.refresh_from_db()
    assert issue.send_at is None
    assert tasks.start_scheduled_send.call(issue.pk, task.args_kwargs["args"][1]) == 0


def test_scheduling_needs_a_future_time(client, author):
    issue = IssueFactory()
    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(send_url(issue), {"when": "later", "send_at": past})
    assert response.status_code == 200
    assert "Choose a time in the future." in response.content.decode()
    response = client.post(send_url(issue), {"when": "later", "send_at": ""})
    assert "Choose when to send it." in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).send_at is None


def test_send_pages_need_change_permission(client, site):
    issue = IssueFactory()
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    client.force_login(viewer)
    assert client.get(send_url(issue)).status_code == 403
    assert client.post(
        reverse("admin:newsletter_issue_send_test", args=[issue.pk])
    ).status_code == (403)


# Subscribers ---------------------------------------------------------------------------


def test_subscriber_list_has_counts_filters_and_search(client, author):
    SubscriberFactory.create_batch(3)
    SubscriberFactory(status=Subscriber.Status.PENDING, email="waiting@example.com")
    SubscriberFactory(status=Subscriber.Status.BOUNCED)
    response = client.get(reverse("admin:newsletter_subscriber_changelist"))
    html = response.content.decode()
    assert "Active: <strong>3</strong>" in html
    assert "Pending confirmation: <strong>1</strong>" in html
    assert "Bounced: <strong>1</strong>" in html
    assert "Unsubscribed: <strong>0</strong>" in html
    assert "Active (3)" in html  # the status filter shows counts
    assert_no_inline_code(response)
    found = client.get(reverse("admin:newsletter_subscriber_changelist") + "?q=waiting")
    assert list(found.context["cl"].result_list) == [Subscriber.objects.get(status="pending")]


def test_an_unsubscribe_link_pasted_in_the_search_finds_its_owner(client, author):
    owner = SubscriberFactory()
    SubscriberFactory.create_batch(2)
    url = "https://blog.example.com" + reverse(
        "newsletter:unsubscribe", args=[tokens.unsubscribe_token(owner)]
    )
    found = client.get(reverse("admin:newsletter_subscriber_changelist"), {"q": url})
    assert list(found.context["cl"].result_list) == [owner]


def upload(text: str, name="subscribers.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


IMPORT = """Email,Name,Subscribed
new1@example.com,New One,2024-03-01
NEW2@Example.com,,
existing@example.com,Already,
new1@example.com,Twice,
not-an-address,Bad,
bad-date@example.com,Bad Date,last tuesday
,No address,
future@example.com,,2999-01-01
long-name@example.com,{long},
'=evil@example.com,Formula,
""".replace("{long}", "x" * 101)


def test_import_of_consented_subscribers_adds_them_active_with_a_report(client, author):
    SubscriberFactory(email="existing@example.com")
    response = client.post(
        reverse("admin:newsletter_subscriber_import"),
        {"file": upload(IMPORT), "consented": "on"},
    )
    report = response.context["report"]
    assert report.added == 3
    assert [(p.line, p.reason) for p in report.skipped] == [
        (4, "already on the list (active)"),
        (5, "also on line 2 of the file"),
    ]
    assert [(p.line, p.reason) for p in report.rejected] == [
        (6, "not a valid email address"),
        (7, "date “last tuesday” not understood (use YYYY-MM-DD)"),
        (8, "no email address"),
        (9, "subscribed date in the future"),
        (10, "name longer than 100 characters or not plain text"),
    ]
    html = response.content.decode()
    assert "<strong>3</strong> added, as active subscribers" in html
    assert "last tuesday" in html
    assert_no_inline_code(response)

    one = Subscriber.objects.get(email="new1@example.com")
    assert (one.status, one.name, one.source) == ("active", "New One", "import")
    assert one.confirmed_at.date() == datetime.date(2024, 3, 1)
    assert Subscriber.objects.get(email="NEW2@example.com").status == "active"
    assert Subscriber.objects.get(email="=evil@example.com").status == "active"


def test_import_without_consent_adds_pending_and_sends_confirmations(
    client, author, run_worker, mailoutbox
):
    text = "a@example.com;Ay\nb@example.com;Bee\n"  # semicolons, as some spreadsheets write
    response = client.post(reverse("admin:newsletter_subscriber_import"), {"file": upload(text)})
    assert response.context["report"].added == 2
    assert set(Subscriber.objects.values_list("status", flat=True)) == {"pending"}
    run_worker()
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "b@example.com"]
    assert all("Confirm your subscription" in m.subject for m in mailoutbox)


def test_import_refuses_a_file_that_is_not_utf8(client, author):
    response = client.post(
        reverse("admin:newsletter_subscriber_import"),
        {"file": upload("email\nzoë@example.com\n", encoding="utf-16")},
    )
    assert "not UTF-8" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_export_to_csv_quotes_what_a_spreadsheet_would_run(client, author):
    SubscriberFactory(email="reader@example.com", name='=HYPERLINK("x")')
    SubscriberFactory(email="other@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    response = client.get(reverse("admin:newsletter_subscriber_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["email", "name", "status", "source"]
    by_email = {row[0]: row for row in rows[1:]}
    assert by_email["reader@example.com"][1] == '\'=HYPERLINK("x")'
    assert by_email["other@example.com"][2] == "unsubscribed"

    selected = client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "export_csv", "_selected_action": [Subscriber.objects.get(status="active").pk]},
    )
    assert b"".join(selected.streaming_content).decode().count("\n") == 2


def test_exported_file_imports_back(client, author):
    SubscriberFactory(email="reader@example.com", name="Rea")
    exported = b"".join(client.get(reverse("admin:newsletter_subscriber_export")).streaming_content)
    Subscriber.objects.all().delete()
    response = client.post(
        reverse("admin:newsletter_subscriber_import"),
        {"file": SimpleUploadedFile("s.csv", exported), "consented": "on"},
    )
    assert response.context["report"].added == 1
    assert Subscriber.objects.get().name == "Rea"


def test_erasing_a_subscriber_on_request_leaves_no_trace(client, author):
    subscriber = SubscriberFactory(email="private@example.com")
    Delivery.objects.create(issue=IssueFactory(), subscriber=subscriber, status="sent")
    client.post(
        reverse("admin:newsletter_subscriber_change", args=[subscriber.pk]),
        {"email": "private@example.com", "name": "Pat", "status": "active", "source": "x"},
    )
    assert LogEntry.objects.filter(object_repr="private@example.com").exists()

    changelist = reverse("admin:newsletter_subscriber_changelist")
    confirm = client.post(changelist, {"action": "erase", "_selected_action": [subscriber.pk]})
    assert "Are you sure" in confirm.content.decode()
    client.post(changelist, {"action": "erase", "_selected_action": [subscriber.pk], "post": "yes"})
    assert not Subscriber.objects.exists()
    assert not Delivery.objects.exists()
    assert not LogEntry.objects.filter(object_repr__contains="private@").exists()
    assert not LogEntry.objects.filter(change_message__contains="private@").exists()
    assert LogEntry.objects.filter(object_repr=f"Subscriber #{subscriber.pk} (erased)").exists()


def test_status_changes_in_the_admin_keep_dates_and_queues_right(client, author, run_worker):
    subscriber = SubscriberFactory(email="reader@example.com")
    issue = IssueFactory()
    sending.start_sending(issue)
    url = reverse("admin:newsletter_subscriber_change", args=[subscriber.pk])
    data = {"email": "reader@example.com", "name": "", "source": "admin"}
    client.post(url, {**data, "status": "unsubscribed"})
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    assert issue.deliveries.get().status == "skipped"


def test_adding_a_pending_subscriber_sends_the_confirmation(client, author, run_worker, mailoutbox):
    response = client.post(
        reverse("admin:newsletter_subscriber_add"),
        {"email": "friend@example.com", "name": "", "status": "pending", "source": "admin"},
        follow=True,
    )
    assert "A confirmation email is on its way to friend@example.com." in messages_of(response)
    run_worker()
    assert [m.to for m in mailoutbox] == [["friend@example.com"]]


def test_unsubscribe_and_resend_actions(client, author, run_worker, mailoutbox):
    active = SubscriberFactory()
    waiting = SubscriberFactory(status=Subscriber.Status.PENDING)
    changelist = reverse("admin:newsletter_subscriber_changelist")
    client.post(changelist, {"action": "unsubscribe_selected", "_selected_action": [active.pk]})
    assert Subscriber.objects.get(pk=active.pk).status == "unsubscribed"
    client.post(changelist, {"action": "resend_confirmation", "_selected_action": [waiting.pk]})
    client.post(changelist, {"action": "resend_confirmation", "_selected_action": [waiting.pk]})
    run_worker()
    assert len(mailoutbox) == 1


def test_deliveries_are_listed_and_failed_ones_can_be_retried(client, author, run_worker):
    issue = IssueFactory()
    reader = SubscriberFactory()
    delivery = Delivery.objects.create(
        issue=issue, subscriber=reader, status="failed", attempts=6, last_error="451 later"
    )
    changelist = reverse("admin:newsletter_delivery_changelist")
    html = client.get(changelist + f"?issue__id__exact={issue.pk}").content.decode()
    assert "451 later" in html
    client.post(changelist, {"action": "retry", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("queued", 0)
    run_worker()
    assert Delivery.objects.get(pk=delivery.pk).status == "sent"
