"""The suppression policy (newsletter.inbound.feedback) and per-message return paths: what
each kind of feedback does to a subscriber, replays, unmatched events, and what a
suppressed address still receives. Real SMTP on loopback where mail goes out."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from newsletter import sending, subscriptions
from newsletter.inbound import return_path
from newsletter.inbound.feedback import Kind, MailFeedback, apply
from newsletter.models import Delivery, MailEvent, Subscriber
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(site, smtp, run_worker):
    """An issue sent to three readers: (issue, {email: delivery})."""
    for name in ("ann", "bob", "cy"):
        SubscriberFactory(email=f"{name}@example.com")
    issue = IssueFactory()
    sending.start_sending(issue)
    run_worker()
    deliveries = {d.subscriber.email: d for d in issue.deliveries.select_related("subscriber")}
    assert {d.status for d in deliveries.values()} == {"sent"}
    return issue, deliveries


def feedback(kind, delivery=None, **values):
    return MailFeedback(
        kind=kind, delivery_id=getattr(delivery, "pk", None), source="test", **values
    )


def subscriber(email):
    return Subscriber.objects.get(email=email)


def test_a_hard_bounce_suppresses_at_once_and_is_stored(sent):
    _issue, deliveries = sent
    outcome = apply(feedback(Kind.HARD, deliveries["ann@example.com"], diagnostic="5.1.1 gone"))
    assert outcome.applied
    ann = subscriber("ann@example.com")
    assert ann.status == Subscriber.Status.BOUNCED
    assert ann.suppressed_at is not None
    assert ann.suppression_reason == "Hard bounce: 5.1.1 gone"
    event = MailEvent.objects.get()
    assert (event.kind, event.subscriber, event.delivery) == ("hard", ann, deliveries[ann.email])
    assert event.outcome == "suppressed (hard bounce)"
    assert subscriber("bob@example.com").suppressed_at is None


def more_deliveries(reader_email, count):
    """Deliveries of `count` more issues to the reader, as if sent."""
    reader = subscriber(reader_email)
    return [
        Delivery.objects.create(
            issue=IssueFactory(), subscriber=reader, status="sent", sent_at=timezone.now()
        )
        for _ in range(count)
    ]


def test_soft_bounces_suppress_after_the_limit_within_the_window(sent, settings):
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 3
    settings.NEWSLETTER_SOFT_BOUNCE_DAYS = 30
    first_issue = sent[1]["bob@example.com"]
    second_issue, third_issue, long_ago = more_deliveries("bob@example.com", 3)
    old = timezone.now() - datetime.timedelta(days=40)
    apply(feedback(Kind.SOFT, long_ago, event_id="old", occurred_at=old))  # outside the window
    first = apply(feedback(Kind.SOFT, first_issue, event_id="1"))
    second = apply(feedback(Kind.SOFT, second_issue, event_id="2"))
    assert first.reason == "soft bounce 1 of 3 in 30 days"
    assert second.reason == "soft bounce 2 of 3 in 30 days"
    assert subscriber("bob@example.com").suppressed_at is None
    third = apply(feedback(Kind.SOFT, third_issue, event_id="3", diagnostic="4.2.2 full"))
    assert third.reason == "suppressed (3 soft bounces)"
    bob = subscriber("bob@example.com")
    assert bob.status == Subscriber.Status.BOUNCED
    assert bob.suppression_reason == "3 soft bounces in 30 days: 4.2.2 full"


def test_one_message_reported_soft_many_times_counts_once(sent, settings):
    """Delay warnings after 4 hours, 1 day and 3 days, then the server giving up: one
    message, one soft bounce. Reports matched by address alone count each."""
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 2
    delivery = sent[1]["cy@example.com"]
    for event_id in ("4h", "1d", "3d", "gave up"):
        outcome = apply(feedback(Kind.SOFT, delivery, event_id=event_id))
        assert outcome.reason == "soft bounce 1 of 2 in 30 days"
    assert subscriber("cy@example.com").suppressed_at is None
    unmatched = apply(feedback(Kind.SOFT, recipient="cy@example.com", event_id="by address"))
    assert unmatched.reason == "suppressed (2 soft bounces)"


def test_a_complaint_unsubscribes_and_suppresses(sent):
    apply(feedback(Kind.COMPLAINT, sent[1]["cy@example.com"]))
    cy = subscriber("cy@example.com")
    assert cy.status == Subscriber.Status.UNSUBSCRIBED
    assert cy.unsubscribed_at is not None
    assert cy.suppressed_at is not None


def test_an_unsubscribe_by_email_unsubscribes_without_suppressing(sent):
    ann = subscriber("ann@example.com")
    outcome = apply(MailFeedback(kind=Kind.UNSUBSCRIBE, subscriber_id=ann.pk, source="mailbox"))
    assert outcome.applied
    ann.refresh_from_db()
    assert (ann.status, ann.suppressed_at) == (Subscriber.Status.UNSUBSCRIBED, None)


def test_an_auto_reply_is_stored_and_changes_nothing(sent):
    outcome = apply(feedback(Kind.AUTO_REPLY, sent[1]["ann@example.com"]))
    assert not outcome.applied
    assert outcome.reason == "auto-reply: ignored"
    assert subscriber("ann@example.com").status == Subscriber.Status.ACTIVE
    assert MailEvent.objects.get().kind == "auto-reply"


def test_the_same_event_twice_has_one_effect(sent, settings):
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 2
    delivery = sent[1]["bob@example.com"]
    assert apply(feedback(Kind.SOFT, delivery, event_id="evt-1")).applied
    again = apply(feedback(Kind.SOFT, delivery, event_id="evt-1"))
    assert (again.applied, again.reason) == (False, "already applied")
    assert MailEvent.objects.count() == 1
    assert subscriber("bob@example.com").suppressed_at is None


def test_our_message_id_names_the_delivery(sent):
    delivery = sent[1]["cy@example.com"]
    outcome = apply(
        MailFeedback(
            kind=Kind.HARD,
            message_id=f"<issue-{sent[0].number}.{delivery.pk}@testserver>",
            recipient="forwarded-elsewhere@example.net",
            source="test",
        )
    )
    assert outcome.subscriber_id == delivery.subscriber_id


def test_the_address_matches_only_if_the_site_ever_emailed_it(sent):
    SubscriberFactory(email="never-emailed@example.com")  # active, but no issue went out yet
    for address in ("never-emailed@example.com", "stranger@example.org"):
        outcome = apply(MailFeedback(kind=Kind.HARD, recipient=address, source="test"))
        assert (outcome.applied, outcome.subscriber_id) == (False, None)
    assert subscriber("never-emailed@example.com").suppressed_at is None
    assert MailEvent.objects.filter(subscriber=None).count() == 2
    # A case difference in the address does not stop a match.
    assert apply(MailFeedback(kind=Kind.HARD, recipient="ANN@example.com", source="t")).applied


def test_a_dry_run_writes_nothing(sent):
    outcome = apply(feedback(Kind.HARD, sent[1]["ann@example.com"]), dry_run=True)
    assert (outcome.applied, outcome.reason) == (True, "suppressed (hard bounce)")
    assert not MailEvent.objects.exists()
    assert subscriber("ann@example.com").suppressed_at is None


def test_a_suppressed_address_gets_no_issue_and_no_confirmation(sent, smtp, run_worker):
    _issue, deliveries = sent
    apply(feedback(Kind.HARD, deliveries["ann@example.com"]))
    ann = subscriber("ann@example.com")
    smtp.messages.clear()
    # Even if the author sets it active again by hand, a suppressed address is left out.
    Subscriber.objects.filter(pk=ann.pk).update(status=Subscriber.Status.ACTIVE)
    second = IssueFactory()
    sending.start_sending(second)
    run_worker()
    assert not second.deliveries.filter(subscriber=ann).exists()
    assert smtp.to("ann@example.com") == []
    # Pending and suppressed: no confirmation from the admin's resend.
    Subscriber.objects.filter(pk=ann.pk).update(status=Subscriber.Status.PENDING)
    assert subscriptions.request_confirmation(subscriber("ann@example.com")) is False
    run_worker()
    assert smtp.to("ann@example.com") == []


def test_signing_up_again_sends_one_confirmation_and_confirming_lifts_the_suppression(
    sent, smtp, run_worker
):
    apply(feedback(Kind.HARD, sent[1]["ann@example.com"]))
    smtp.messages.clear()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5), tick=True):
        subscriptions.signup("ann@example.com")
        run_worker()
    assert len(smtp.to("ann@example.com")) == 1
    ann = subscriber("ann@example.com")
    assert ann.status == Subscriber.Status.PENDING
    assert subscriptions.confirm(ann)
    ann.refresh_from_db()
    assert (ann.status, ann.suppressed_at, ann.suppression_reason) == ("active", None, "")


def test_a_refusal_during_sending_is_a_stored_hard_bounce(site, smtp, run_worker):
    gone = SubscriberFactory(email="gone@example.com")
    smtp.refuse["gone@example.com"] = "550 5.1.1 No such user"
    issue = IssueFactory()
    sending.start_sending(issue)
    run_worker()
    event = MailEvent.objects.get()
    assert (event.kind, event.source, event.subscriber) == ("hard", "smtp", gone)
    assert event.delivery == Delivery.objects.get(subscriber=gone)
    assert subscriber("gone@example.com").suppressed_at is not None


def test_each_issue_email_carries_its_own_return_path(site, smtp, run_worker, settings):
    settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@mail.example.com"
    people = [SubscriberFactory(email=f"r{n}@example.com") for n in range(3)]
    issue = IssueFactory()
    sending.start_sending(issue)
    run_worker()
    senders = dict(smtp.envelope_senders)
    for person in people:
        delivery = issue.deliveries.get(subscriber=person)
        assert senders[person.email] == return_path.for_delivery(delivery.pk)
        assert return_path.parse(senders[person.email]) == ("d", delivery.pk)


def test_return_paths_refuse_forged_tokens(settings):
    settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@mail.example.com"
    address = return_path.for_delivery(42)
    assert address.startswith("bounces+d42-")
    assert address.endswith("@mail.example.com")
    assert return_path.parse(f"Final-Recipient: rfc822; {address}") == ("d", 42)
    forged = address.replace("d42-", "d43-")
    assert return_path.parse(forged) is None
    assert return_path.parse("bounces+d42-0000000000@mail.example.com") is None
    assert return_path.parse(return_path.for_confirmation(7)) == ("c", 7)
    settings.NEWSLETTER_BOUNCE_ADDRESS = ""
    assert return_path.for_delivery(42) is None
