"""Sending an issue: once per active subscriber, through crashes, dropped connections,
temporary and permanent refusals, on schedule. A real SMTP server on loopback throughout."""

import datetime
from collections import Counter

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import Status
from newsletter import delivery_claims, queueing, send_loop, sending, tasks, wakeups
from newsletter.models import Issue, Subscriber
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


class KilledWorker(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, not even `except
    Exception`. (django-tasks-db's worker catches BaseException and records the task
    as failed, which is as far as a killed process would get too.)"""


def subscribers(n: int) -> list[Subscriber]:
    return Subscriber.objects.create_many(
        Subscriber(email=f"reader{i:04d}@example.com", status=Subscriber.Status.ACTIVE)
        for i in range(n)
    )


def later(**delta):
    return time_machine.travel(timezone.now() + datetime.timedelta(**delta), tick=True)


def assert_each_got_exactly_one(smtp, people):
    counts = smtp.counts()
    assert {s.email: counts[s.email] for s in people} == {s.email: 1 for s in people}
    assert sum(counts.values()) == len(people)


def test_deliveries_are_one_set_based_insert_unique_per_issue_and_subscriber(
    site, django_assert_num_queries
):
    subscribers(50)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)
    issue = IssueFactory()
    now = timezone.now()
    with django_assert_num_queries(1):
        assert queueing.insert_deliveries(issue, now) == 50
    assert queueing.insert_deliveries(issue, now) == 0  # ON CONFLICT DO NOTHING
    assert issue.deliveries.count() == 50
    assert set(issue.deliveries.values_list("status", flat=True)) == {"queued"}


def test_a_batch_reads_its_rows_in_one_query_whatever_its_size(site, smtp, settings):
    """Besides each row's "sent" mark, a batch costs one query: a field of a row or its
    subscriber read that claimed_rows did not load would cost one per message."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletter import emails

    people = subscribers(30)
    issue = IssueFactory()
    queueing.insert_deliveries(issue, timezone.now())
    worker = delivery_claims.new_worker_id()
    ids = delivery_claims.claim_batch(issue.pk, worker, 30)
    rendered = emails.render_issue(issue)
    report = send_loop.RunReport()
    with CaptureQueriesContext(connection) as queries:
        assert send_loop.send_batch(rendered, ids, worker, report)
    others = [q["sql"] for q in queries if "SET status = " not in q["sql"]]
    assert len(others) == 1, others  # the rows, with their subscribers
    assert report.sent == 30
    assert issue.deliveries.filter(status="sent").count() == 30
    assert_each_got_exactly_one(smtp, people)


def test_an_issue_is_sent_once_and_only_when_published(site):
    subscribers(3)
    draft = IssueFactory(status=Status.DRAFT)
    with pytest.raises(sending.SendingError, match="not published"):
        sending.start_sending(draft)
    issue = IssueFactory()
    assert sending.start_sending(issue) == 3
    with pytest.raises(sending.SendingError, match="already sent"):
        sending.start_sending(Issue.objects.get(pk=issue.pk))
    assert issue.deliveries.count() == 3
    # A few tasks so several workers can share the issue, no more than batches.
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_issue").count() == 1


def test_worker_killed_mid_batch_then_a_later_run_completes_it(
    site, smtp, run_worker, settings, monkeypatch
):
    settings.NEWSLETTER_BATCH_SIZE = 25
    people = subscribers(200)
    issue = IssueFactory()
    sending.start_sending(issue)

    send = send_loop._send
    calls = 0

    def dies_before_the_110th(mailer, rendered, row):
        nonlocal calls
        calls += 1
        if calls == 110:
            raise KilledWorker
        return send(mailer, rendered, row)

    monkeypatch.setattr(send_loop, "_send", dies_before_the_110th)
    run_worker()
    monkeypatch.setattr(send_loop, "_send", send)

    # The other fanned-out tasks sent the rest; the dead worker's batch (rows 110-125)
    # is still leased to it.
    counts = issue.delivery_counts()
    assert (counts["sent"], counts["sending"]) == (184, 16)
    assert len(smtp.messages) == 184

    run_worker()  # too early: until the lease expires nobody touches those rows
    assert issue.delivery_counts()["sending"] == 16

    with later(seconds=settings.NEWSLETTER_LEASE_SECONDS + 5):
        run_worker()  # the wake-up the first run scheduled picks the batch up

    assert issue.delivery_counts()["sent"] == 200
    assert_each_got_exactly_one(smtp, people)
    assert not DBTaskResult.objects.ready().exists()


def test_killed_between_acceptance_and_bookkeeping_costs_one_duplicate_at_most(
    site, smtp, run_worker, settings, monkeypatch
):
    """The trade-off newsletter.send_loop documents: the message in flight when a worker
    dies is sent again (never lost), with the same Message-ID."""
    settings.NEWSLETTER_BATCH_SIZE = 25
    people = subscribers(60)
    issue = IssueFactory()
    sending.start_sending(issue)

    add = delivery_claims.SentMarks.add
    marks = 0

    def dies_before_the_30th_mark(sent_marks, delivery_id):
        nonlocal marks
        marks += 1
        if marks == 30:
            # The 29th mark had left for the database, which commits it whether or not
            # the worker is still there to read the answer.
            sent_marks.settle()
            raise KilledWorker
        return add(sent_marks, delivery_id)

    monkeypatch.setattr(delivery_claims.SentMarks, "add", dies_before_the_30th_mark)
    run_worker()
    monkeypatch.setattr(delivery_claims.SentMarks, "add", add)
    with later(seconds=settings.NEWSLETTER_LEASE_SECONDS + 5):
        run_worker()

    counts = smtp.counts()
    assert all(counts[s.email] >= 1 for s in people)
    twice = [address for address, n in counts.items() if n > 1]
    assert len(twice) == 1
    assert counts[twice[0]] == 2
    first, second = smtp.to(twice[0])
    assert first["Message-ID"] == second["Message-ID"]
    assert issue.delivery_counts()["sent"] == 60


def test_smtp_server_drops_the_connection_halfway_then_a_second_run_completes(
    site, smtp, run_worker
):
    people = subscribers(200)
    issue = IssueFactory()
    sending.start_sending(issue)

    smtp.drop_after = 100  # then hangs up on every session: the server went away
    run_worker()
    counts = issue.delivery_counts()
    assert counts["sent"] == 100
    assert counts["queued"] == 100
    assert counts["failed"] == 0
    retried = issue.deliveries.filter(status="queued", attempts=1).get()
    assert "SMTPServerDisconnected" in retried.last_error
    assert retried.next_attempt_at > timezone.now()

    smtp.recover()
    with later(minutes=3):
        run_worker()
    assert issue.delivery_counts()["sent"] == 200
    assert_each_got_exactly_one(smtp, people)


def test_a_session_closed_by_the_provider_is_reopened_at_once(site, smtp, run_worker):
    people = subscribers(40)
    issue = IssueFactory()
    sending.start_sending(issue)
    smtp.drop_after, smtp.stay_down = 15, False  # one session cut, as providers do
    run_worker()
    assert issue.delivery_counts()["sent"] == 40
    assert_each_got_exactly_one(smtp, people)


def test_temporary_refusal_is_retried_with_back_off(site, smtp, run_worker, settings):
    subscribers(3)
    greylisted = SubscriberFactory(email="greylisted@example.com")
    issue = IssueFactory()
    smtp.refuse["greylisted@example.com"] = "451 4.7.1 Greylisted, try again later"
    sending.start_sending(issue)
    run_worker()

    delivery = issue.deliveries.get(subscriber=greylisted)
    assert delivery.status == "queued"
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("451 4.7.1 Greylisted")
    wait = delivery.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=50) < wait <= datetime.timedelta(seconds=60)

    with later(seconds=61):
        run_worker()  # refused again: the next wait doubles
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - timezone.now() > datetime.timedelta(seconds=100)

    del smtp.refuse["greylisted@example.com"]
    with later(seconds=61 + 121):
        run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(smtp.to("greylisted@example.com")) == 1
    assert issue.delivery_counts()["sent"] == 4


def test_temporary_refusals_give_up_after_the_last_attempt(site, smtp, run_worker, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    reader = SubscriberFactory(email="full@example.com")
    smtp.refuse["full@example.com"] = "452 4.2.2 Mailbox full"
    issue = IssueFactory()
    sending.start_sending(issue)
    run_worker()
    with later(seconds=61):
        run_worker()
    delivery = issue.deliveries.get(subscriber=reader)
    assert delivery.status == "failed"
    assert delivery.last_error == "Gave up after 2 attempts: 452 4.2.2 Mailbox full"
    assert Subscriber.objects.get(pk=reader.pk).status == "active"


def test_permanent_refusal_fails_with_the_reason_and_marks_the_address_bounced(
    site, smtp, run_worker
):
    subscribers(5)
    gone = SubscriberFactory(email="gone@example.com")
    smtp.refuse["gone@example.com"] = "550 5.1.1 No such user"
    issue = IssueFactory()
    sending.start_sending(issue)
    run_worker()

    delivery = issue.deliveries.get(subscriber=gone)
    assert delivery.status == "failed"
    assert delivery.last_error == "550 5.1.1 No such user"
    assert Subscriber.objects.get(pk=gone.pk).status == "bounced"
    counts = issue.delivery_counts()
    assert (counts["sent"], counts["failed"], counts["queued"]) == (5, 1, 0)
    with later(hours=2):
        run_worker()
    assert len(smtp.to("gone@example.com")) == 0  # never retried


def test_someone_who_unsubscribes_while_an_issue_is_queued_does_not_get_it(site, smtp, run_worker):
    people = subscribers(10)
    issue = IssueFactory()
    sending.start_sending(issue)
    people[3].unsubscribe()
    Subscriber.objects.filter(pk=people[4].pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    run_worker()
    counts = smtp.counts()
    assert people[3].email not in counts
    assert people[4].email not in counts
    assert issue.delivery_counts()["skipped"] == 2
    assert issue.delivery_counts()["sent"] == 8


def test_scheduled_issue_goes_out_at_its_time_to_whoever_is_subscribed_then(site, smtp, run_worker):
    subscribers(3)
    issue = IssueFactory()
    send_at = timezone.now() + datetime.timedelta(hours=1)
    sending.schedule_send(issue, send_at)
    assert DBTaskResult.objects.get(task_path__endswith="start_scheduled_send").run_after == (
        send_at
    )
    run_worker()
    assert smtp.messages == []
    assert not issue.deliveries.exists()

    late = SubscriberFactory(email="late@example.com")
    with later(hours=1, seconds=5):
        run_worker()
    issue.refresh_from_db()
    assert issue.sending_started_at is not None
    assert issue.send_at is None
    assert len(smtp.messages) == 4
    assert len(smtp.to(late.email)) == 1


def test_a_cancelled_or_moved_schedule_does_not_send(site, smtp, run_worker):
    subscribers(2)
    issue = IssueFactory()
    sending.schedule_send(issue, timezone.now() + datetime.timedelta(minutes=30))
    sending.cancel_schedule(issue)
    moved = timezone.now() + datetime.timedelta(hours=5)
    sending.schedule_send(issue, moved)
    with later(minutes=31):
        run_worker()
    assert smtp.messages == []
    with later(hours=5, seconds=5):
        run_worker()
    assert len(smtp.messages) == 2


def test_scheduling_needs_the_issue_published_by_then(site):
    issue = IssueFactory(published_at=timezone.now() + datetime.timedelta(days=2))
    with pytest.raises(sending.SendingError, match="not published by then"):
        sending.schedule_send(issue, timezone.now() + datetime.timedelta(days=1))
    sending.schedule_send(issue, timezone.now() + datetime.timedelta(days=3))
    with pytest.raises(sending.SendingError, match="future"):
        sending.schedule_send(issue, timezone.now() - datetime.timedelta(minutes=1))


def test_unreachable_server_leaves_everything_queued_for_later(site, settings, run_worker, smtp):
    subscribers(5)
    issue = IssueFactory()
    settings.MAILERS["default"]["OPTIONS"]["port"] = 1  # nothing listens there
    sending.start_sending(issue)
    run_worker()
    counts = issue.delivery_counts()
    assert counts["queued"] == 5
    assert counts["sent"] == 0
    assert "could not connect" in issue.deliveries.first().last_error
    settings.MAILERS["default"]["OPTIONS"]["port"] = smtp.port
    with later(minutes=2):
        run_worker()
    assert issue.delivery_counts()["sent"] == 5


def test_wake_ups_are_kept_to_one_per_issue(site):
    issue = IssueFactory()
    at = timezone.now() + datetime.timedelta(minutes=5)
    minute = datetime.timedelta(minutes=1)
    enqueue = tasks.enqueue_delivery_at
    assert wakeups.schedule_wake(issue.pk, at, enqueue)
    assert not wakeups.schedule_wake(issue.pk, at + minute, enqueue)
    assert wakeups.schedule_wake(issue.pk, at - minute, enqueue)  # earlier
    assert DBTaskResult.objects.count() == 2


def test_progress_counts(site, smtp, run_worker):
    subscribers(4)
    issue = IssueFactory()
    sending.start_sending(issue)
    assert issue.delivery_counts() | {} == {
        "queued": 4, "sending": 0, "sent": 0, "failed": 0, "skipped": 0, "total": 4, "done": 0
    }  # fmt: skip
    run_worker()
    assert Counter(issue.deliveries.values_list("status", flat=True)) == {"sent": 4}
    assert issue.delivery_counts()["done"] == 4
