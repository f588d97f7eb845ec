"""The issue report (newsletter.inbound.report): its figures on a made-up issue, which
events count for which issue, the warnings at the providers' thresholds, a fixed number of
queries, and the report at the end of `manage.py send_issue`."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsletter.inbound.report import UNMATCHED_EVENT_DAYS, issue_report, rate_warnings
from newsletter.models import Delivery, Issue, MailEvent, Subscriber
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

Kind = MailEvent.Kind
SENT, FAILED, QUEUED = Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.QUEUED
T0 = timezone.now() - datetime.timedelta(days=20)


def at(**delta):
    return T0 + datetime.timedelta(**delta)


def sent_issue(started, statuses):
    """An issue that went out at `started` to one new subscriber per status given."""
    issue = IssueFactory()
    Issue.objects.filter(pk=issue.pk).update(sending_started_at=started)
    issue.refresh_from_db()
    people = SubscriberFactory.create_batch(len(statuses))
    deliveries = Delivery.objects.bulk_create(
        Delivery(issue=issue, subscriber=person, status=status, sent_at=started)
        for person, status in zip(people, statuses, strict=True)
    )
    return issue, deliveries


def event(kind, subscriber, when, delivery=None):
    return MailEvent.objects.create(
        kind=kind, subscriber=subscriber, delivery=delivery, occurred_at=when, source="test"
    )


def unsubscribed(subscriber, when):
    Subscriber.objects.filter(pk=subscriber.pk).update(
        status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=when
    )


@pytest.fixture
def made_up(site):
    """Issue A, sent at T0 to ten people, between an earlier issue and one sent at T0+3d."""
    _earlier, [old] = sent_issue(at(days=-7), [SENT])
    issue, deliveries = sent_issue(T0, [SENT] * 8 + [FAILED, QUEUED])
    sent_issue(at(days=3), [SENT])
    s = [d.subscriber for d in deliveries]
    d = deliveries
    event(Kind.HARD, s[0], at(hours=2), d[0])  # names this issue's delivery
    event(Kind.HARD, s[8], T0, d[8])  # refused during sending (the failed delivery)
    event(Kind.SOFT, s[1], at(hours=3), d[1])
    event(Kind.SOFT, s[1], at(days=2), d[1])  # the same person twice: one soft-bounced
    event(Kind.SOFT, s[2], at(days=1))  # only the address known, within the window
    event(Kind.SOFT, s[3], at(days=4))  # only the address, after the next issue went out
    event(Kind.SOFT, s[4], at(hours=-1))  # only the address, before this issue
    event(Kind.HARD, s[5], at(days=1), old)  # about the earlier issue's message
    event(Kind.COMPLAINT, s[6], at(hours=5), d[6])
    event(Kind.AUTO_REPLY, s[7], at(hours=1), d[7])
    stranger = SubscriberFactory()
    event(Kind.COMPLAINT, stranger, at(hours=5))  # not a recipient of this issue
    event(Kind.HARD, None, at(hours=5))  # matched nobody
    unsubscribed(s[6], at(hours=5))  # the complaint unsubscribed them
    unsubscribed(s[7], at(days=2))
    unsubscribed(s[3], at(days=4))  # after the next issue: that one's figure
    unsubscribed(s[4], at(days=-1))  # before this issue (and still sent to, say by a race)
    return issue


def test_the_figures_of_a_made_up_issue(made_up):
    report = issue_report(made_up)
    figures = {key: report[key] for key in report["rates"]}
    assert figures == {
        "recipients": 10,
        "delivered": 8,
        "failed": 1,
        "bounced": 4,
        "hard_bounces": 2,
        "soft_bounces": 2,
        "complaints": 1,
        "unsubscribed": 2,
    }
    assert report["rates"]["delivered"] == 0.8
    assert report["rates"]["bounced"] == 0.5
    assert report["rates"]["complaints"] == 1 / 8
    assert report["rates"]["recipients"] is None
    assert report["sent_at"] == T0
    assert report["counted_until"] == at(days=3)  # the next issue, sooner than a week
    assert report["rows"][:4] == [
        ("Recipients", 10, ""),
        ("Delivered", 8, "80.0 %"),
        ("Failed", 1, "10.0 %"),
        ("Bounced", 4, "50.0 %"),
    ]
    assert len(report["warnings"]) == 2


def test_the_report_takes_three_queries_however_big(made_up, django_assert_num_queries):
    with django_assert_num_queries(3):
        issue_report(made_up)
    _issue, more = sent_issue(at(days=1), [SENT] * 30)
    for delivery in more:
        event(Kind.SOFT, delivery.subscriber, at(days=1, hours=1))
    with django_assert_num_queries(3):
        issue_report(made_up)


def test_events_without_a_delivery_count_for_a_week_when_no_issue_follows(site):
    issue, deliveries = sent_issue(T0, [SENT] * 3)
    a, b, c = (d.subscriber for d in deliveries)
    event(Kind.HARD, a, at(days=UNMATCHED_EVENT_DAYS - 1))
    event(Kind.HARD, b, at(days=UNMATCHED_EVENT_DAYS, seconds=1))
    event(Kind.HARD, c, at(days=UNMATCHED_EVENT_DAYS + 5), deliveries[2])  # named: counts
    report = issue_report(issue)
    assert report["hard_bounces"] == 2
    assert report["counted_until"] == at(days=UNMATCHED_EVENT_DAYS)


def test_an_issue_not_sent_has_zeros_and_asks_nothing(site, django_assert_num_queries):
    issue = IssueFactory()
    with django_assert_num_queries(0):
        report = issue_report(issue)
    assert report["recipients"] == report["bounced"] == 0
    assert report["rates"]["bounced"] is None
    assert report["warnings"] == []
    assert report["sent_at"] is None


@pytest.mark.parametrize(
    ("bounced", "complaints", "expected"),
    [
        (0.0499, 0.00099, []),
        (0.05, 0.0, ["bounce"]),
        (0.0, 0.001, ["complaint"]),
        (0.2, 0.01, ["bounce", "complaint"]),
        (None, None, []),  # nothing delivered: no rate to judge
    ],
)
def test_warnings_start_at_the_thresholds(bounced, complaints, expected):
    found = rate_warnings({"bounced": bounced, "complaints": complaints})
    kinds = ["bounce" if "bounced" in text else "complaint" for text in found]
    assert kinds == expected


def test_warnings_name_the_provider_thresholds_and_what_to_do(site, settings):
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT, settings.NEWSLETTER_SOFT_BOUNCE_DAYS = 3, 30
    issue, deliveries = sent_issue(T0, [SENT] * 20)
    event(Kind.HARD, deliveries[0].subscriber, at(hours=1), deliveries[0])
    event(Kind.COMPLAINT, deliveries[1].subscriber, at(hours=1), deliveries[1])
    bounce, complaint = issue_report(issue)["warnings"]
    assert bounce.startswith("5.0 % of this issue's deliveries bounced")
    assert "Amazon SES reviews an account at a 5 % bounce rate" in bounce
    assert "soft ones after 3 in 30 days" in bounce
    assert complaint.startswith("5.0 % of this issue's deliveries were reported as spam")
    assert "0.1 %" in complaint
    assert "Gmail" in complaint
    assert "unsubscribe link" in complaint


def test_the_thresholds_are_settings(site, settings):
    settings.NEWSLETTER_BOUNCE_RATE_WARNING = 0.2
    issue, deliveries = sent_issue(T0, [SENT] * 10)
    event(Kind.HARD, deliveries[0].subscriber, at(hours=1), deliveries[0])
    assert issue_report(issue)["warnings"] == []
    settings.NEWSLETTER_BOUNCE_RATE_WARNING = 0.1
    assert len(issue_report(issue)["warnings"]) == 1


def test_small_rates_keep_two_decimals(site):
    issue, deliveries = sent_issue(T0, [SENT] * 1000)
    event(Kind.COMPLAINT, deliveries[0].subscriber, at(hours=1), deliveries[0])
    report = issue_report(issue)
    assert ("Complaints", 1, "0.10 %") in report["rows"]
    assert report["warnings"][0].startswith("0.10 % of this issue's deliveries were reported")


def test_send_issue_ends_with_the_report(site, settings, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    SubscriberFactory.create_batch(2)
    IssueFactory(number=9)
    out = io.StringIO()
    call_command("send_issue", "9", stdout=out, stderr=out)
    output = out.getvalue()
    assert "Report for Issue #9 so far" in output
    assert "  Recipients: 2\n" in output
    assert "  Delivered: 2 (100.0 %)\n" in output
    assert "  Hard bounces: 0 (0.0 %)\n" in output
    assert "Warning" not in output


def test_send_issue_no_wait_reports_what_is_known(site):
    SubscriberFactory.create_batch(3)
    IssueFactory(number=8)
    out = io.StringIO()
    call_command("send_issue", "8", "--no-wait", stdout=out, stderr=out)
    output = out.getvalue()
    assert "  Recipients: 3\n" in output
    assert "  Delivered: 0 (0.0 %)\n" in output
    assert "  Bounced: 0 (–)\n" in output
