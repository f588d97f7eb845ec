"""What the author sees of what the mail system sent back: suppressed subscribers and their
events, lifting a suppression, the mail events and unrecognised mail lists (read-only,
the raw message escaped and downloadable by staff only), and the issue's report."""

import datetime
import re
from html import unescape

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from newsletter.admin.mail import SHOWN_BYTES
from newsletter.admin.suppression import EVENTS_SHOWN
from newsletter.inbound.feedback import keep_unrecognised
from newsletter.models import Delivery, Issue, MailEvent, Subscriber, UnrecognisedMail
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

Kind = MailEvent.Kind
Status = Subscriber.Status
RAW = (
    b"From: MAILER-DAEMON@mx.example.net\r\nSubject: Undeliverable: <script>x</script>\r\n"
    b"Content-Type: text/plain\r\n\r\nSomething went wrong <b>here</b>.\r\n"
)


@pytest.fixture
def author(client, site):
    user = get_user_model().objects.create_superuser("author", "author@example.com", "pw")
    client.force_login(user)
    return user


def suppressed(email, *, status=Status.BOUNCED, confirmed=True, reason="Hard bounce: 5.1.1"):
    now = timezone.now()
    return SubscriberFactory(
        email=email,
        status=status,
        confirmed_at=now - datetime.timedelta(days=90) if confirmed else None,
        suppressed_at=now,
        suppression_reason=reason,
    )


def event(subscriber, kind=Kind.HARD, **values):
    values = {
        "diagnostic": "550 5.1.1 <x>: user unknown",
        "source": "mailbox",
        "outcome": "suppressed (hard bounce)" if subscriber else "no subscriber matched",
        **values,
    }
    return MailEvent.objects.create(
        kind=kind,
        subscriber=subscriber,
        recipient=getattr(subscriber, "email", "nobody@example.org"),
        **values,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def assert_no_inline_code(html):
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html


def test_the_subscriber_page_shows_the_suppression_and_its_events(client, author):
    ann = suppressed("ann@example.com")
    event(ann, diagnostic="550 5.1.1 <ann@example.com>: mailbox unavailable")
    event(ann, Kind.AUTO_REPLY, diagnostic="", source="webhook:postmark", outcome="ignored")
    response = client.get(reverse("admin:newsletter_subscriber_change", args=[ann.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_code(html)
    assert "Hard bounce: 5.1.1" in html
    assert "550 5.1.1 &lt;ann@example.com&gt;: mailbox unavailable" in html
    assert "webhook:postmark" in html
    assert "Auto-reply" in html
    assert "suppressed (hard bounce)" in html
    assert 'class="mail-events"' in html
    assert 'name="mail_events' not in html  # a read-only table, not a formset to post


def test_the_subscriber_page_lists_the_latest_events_and_links_to_all(client, author):
    ann = suppressed("ann@example.com")
    bob = SubscriberFactory(email="bob@example.com")
    for n in range(EVENTS_SHOWN + 1):
        event(ann, Kind.SOFT, diagnostic=f"452 4.2.2 full, try {n}")
    event(bob)
    html = client.get(reverse("admin:newsletter_subscriber_change", args=[ann.pk])).content
    html = html.decode()
    assert html.count("452 4.2.2 full, try") == EVENTS_SHOWN
    assert f"try {EVENTS_SHOWN}<" in html  # the newest
    assert "try 0<" not in html
    every = reverse("admin:newsletter_mailevent_changelist") + f"?subscriber={ann.pk}"
    assert f'<a href="{every}">Every event</a>' in html
    listed = client.get(every).context["cl"]
    assert listed.result_count == EVENTS_SHOWN + 1
    assert {e.subscriber_id for e in listed.result_list} == {ann.pk}


def test_the_subscriber_form_still_saves(client, author):
    ann = suppressed("ann@example.com")
    event(ann)
    response = client.post(
        reverse("admin:newsletter_subscriber_change", args=[ann.pk]),
        {"email": "ann@example.com", "name": "Ann", "status": "bounced", "source": "x"},
    )
    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.name == "Ann"
    assert ann.suppressed_at is not None  # shown, not editable


def test_the_list_filters_and_shows_suppressed_subscribers(client, author):
    suppressed("ann@example.com", reason="3 soft bounces in 30 days: 4.2.2 full")
    SubscriberFactory(email="bob@example.com")
    url = reverse("admin:newsletter_subscriber_changelist")
    html = client.get(url, {"suppressed": "yes"}).content.decode()
    assert "ann@example.com" in html
    assert "bob@example.com" not in html
    assert "3 soft bounces in 30 days: 4.2.2 full" in html  # the column
    html = client.get(url, {"suppressed": "no"}).content.decode()
    assert "ann@example.com" not in html
    assert "bob@example.com" in html


def test_lifting_a_suppression(client, author):
    confirmed = suppressed("ann@example.com")
    never_confirmed = suppressed("bob@example.com", confirmed=False)
    complained = suppressed("cy@example.com", status=Status.UNSUBSCRIBED, reason="Complaint")
    untouched = SubscriberFactory(email="dee@example.com")
    response = client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {
            "action": "lift_suppression",
            "_selected_action": [s.pk for s in (confirmed, never_confirmed, complained, untouched)],
        },
        follow=True,
    )
    [message] = messages_of(response)
    assert message.startswith("Lifted the suppression of 3 subscriber(s): 1 back to active")
    assert "1 back to pending confirmation" in message
    assert message.endswith("1 stay unsubscribed.")
    after = {s.email: s for s in Subscriber.objects.all()}
    assert after["ann@example.com"].status == Status.ACTIVE
    assert after["bob@example.com"].status == Status.PENDING
    assert after["cy@example.com"].status == Status.UNSUBSCRIBED
    for email in ("ann@example.com", "bob@example.com", "cy@example.com"):
        assert after[email].suppressed_at is None
        assert after[email].suppression_reason == ""
    assert Subscriber.objects.active().filter(email="ann@example.com").exists()
    logged = LogEntry.objects.filter(change_message="Suppression lifted.")
    assert sorted(logged.values_list("object_repr", flat=True)) == [
        "ann@example.com",
        "bob@example.com",
        "cy@example.com",
    ]


def test_lifting_when_nothing_is_suppressed_says_so(client, author):
    ann = SubscriberFactory(email="ann@example.com")
    response = client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "lift_suppression", "_selected_action": [ann.pk]},
        follow=True,
    )
    assert messages_of(response) == [
        "None of the selected subscribers was suppressed: nothing changed."
    ]


def test_the_mail_event_list_and_page(client, author):
    ann = suppressed("ann@example.com")
    matched = event(ann)
    unmatched = event(None, Kind.SOFT, source="webhook:mailgun")
    url = reverse("admin:newsletter_mailevent_changelist")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_code(html)
    assert reverse("admin:newsletter_subscriber_change", args=[ann.pk]) in html
    assert "not matched" in html
    assert "nobody@example.org" in html
    unmatched_only = client.get(url, {"matched": "no"}).context["cl"].result_list
    assert list(unmatched_only) == [unmatched]
    assert list(client.get(url, {"kind__exact": "hard"}).context["cl"].result_list) == [matched]
    assert list(client.get(url, {"source": "webhook:mailgun"}).context["cl"].result_list) == [
        unmatched
    ]
    page = client.get(reverse("admin:newsletter_mailevent_change", args=[matched.pk]))
    assert page.status_code == 200
    assert "550 5.1.1 &lt;x&gt;: user unknown" in page.content.decode()
    assert 'name="diagnostic"' not in page.content.decode()  # read-only


def test_no_one_adds_or_edits_records_but_they_can_be_deleted(client, author):
    mail = UnrecognisedMail.objects.get(pk=keep_unrecognised(RAW, "no bounce found", "mailbox"))
    mail_event = event(None)
    for model, obj in (("mailevent", mail_event), ("unrecognisedmail", mail)):
        assert client.get(reverse(f"admin:newsletter_{model}_add")).status_code == 403
        changelist = client.get(reverse(f"admin:newsletter_{model}_changelist"))
        assert not changelist.context["has_add_permission"]
        change = reverse(f"admin:newsletter_{model}_change", args=[obj.pk])
        assert client.post(change, {"kind": "soft", "reason": "edited"}).status_code == 403
        delete = reverse(f"admin:newsletter_{model}_delete", args=[obj.pk])
        assert client.get(delete).status_code == 200
        assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not MailEvent.objects.exists()
    assert not UnrecognisedMail.objects.exists()


def test_unrecognised_mail_list_and_page_show_the_message_escaped(client, author):
    mail = UnrecognisedMail.objects.get(pk=keep_unrecognised(RAW, "no bounce found", "replay"))
    response = client.get(reverse("admin:newsletter_unrecognisedmail_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "MAILER-DAEMON@mx.example.net" in html
    assert "Undeliverable: &lt;script&gt;x&lt;/script&gt;" in html
    assert f"{len(RAW)}\xa0bytes" in html
    response = client.get(reverse("admin:newsletter_unrecognisedmail_change", args=[mail.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_code(html)
    assert "Something went wrong &lt;b&gt;here&lt;/b&gt;." in html
    assert reverse("admin:newsletter_unrecognisedmail_raw", args=[mail.pk]) in html
    assert "The first" not in html


def test_a_big_message_shows_its_first_200_kb(client, author, settings):
    settings.NEWSLETTER_UNRECOGNISED_MAX_BYTES = SHOWN_BYTES * 2
    raw = b"Subject: big\r\n\r\n" + b"a" * (SHOWN_BYTES * 3 - 20) + b"THE-END"
    pk = keep_unrecognised(raw, "too big", "mailbox")
    html = client.get(reverse("admin:newsletter_unrecognisedmail_change", args=[pk])).content
    html = html.decode()
    assert "The first 200.0\xa0KB of 400.0\xa0KB." in html
    assert "The message was 600.0\xa0KB; only the first 400.0\xa0KB were kept." in html
    shown = re.search(r'<pre class="raw-mail">(.*?)</pre>', html, re.S).group(1)
    assert len(shown) == SHOWN_BYTES
    assert "THE-END" not in html


def test_the_raw_message_downloads_as_an_attachment(client, author):
    pk = keep_unrecognised(RAW + b"\xff\xfe not utf-8", "no bounce found", "mailbox")
    response = client.get(reverse("admin:newsletter_unrecognisedmail_raw", args=[pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="unrecognised-{pk}.eml"'
    assert response.content == RAW + b"\xff\xfe not utf-8"


def test_the_raw_message_is_for_staff_only(client, site):
    pk = keep_unrecognised(RAW, "no bounce found", "mailbox")
    url = reverse("admin:newsletter_unrecognisedmail_raw", args=[pk])
    response = client.get(url)  # anonymous
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    reader = get_user_model().objects.create_user("reader", "reader@example.com", "pw")
    client.force_login(reader)
    assert client.get(url).status_code == 302  # not staff: the admin's login
    staff = get_user_model().objects.create_user("staff", "staff@example.com", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403  # staff, but not allowed to see these
    staff.user_permissions.add(Permission.objects.get(codename="view_unrecognisedmail"))
    assert client.get(url).status_code == 200


def test_the_issue_page_shows_its_report(client, author):
    issue = IssueFactory(number=14)
    started = timezone.now() - datetime.timedelta(days=1)
    Issue.objects.filter(pk=issue.pk).update(sending_started_at=started)
    readers = SubscriberFactory.create_batch(10)
    deliveries = Delivery.objects.bulk_create(
        Delivery(issue=issue, subscriber=reader, status=Delivery.Status.SENT, sent_at=started)
        for reader in readers
    )
    MailEvent.objects.create(
        kind=Kind.HARD, subscriber=readers[0], delivery=deliveries[0], source="mailbox"
    )
    MailEvent.objects.create(
        kind=Kind.COMPLAINT, subscriber=readers[1], delivery=deliveries[1], source="webhook:ses"
    )
    response = client.get(reverse("admin:newsletter_issue_change", args=[issue.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_code(html)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "Report: what came back after sending" in text
    assert "Delivered 10 100.0 %" in text
    assert "Hard bounces 1 10.0 %" in text
    assert "Complaints 1 10.0 %" in text
    assert "10.0 % of this issue's deliveries bounced" in text
    assert "10.0 % of this issue's deliveries were reported as spam" in text


def test_an_issue_not_sent_has_no_report(client, author):
    issue = IssueFactory()
    html = client.get(reverse("admin:newsletter_issue_change", args=[issue.pk])).content
    assert b"Report: what came back" not in html
