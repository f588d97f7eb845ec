"""`manage.py send_issue`: for authors who script their Monday."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.models import Status
from newsletter.management.commands import send_issue
from newsletter.models import Issue
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    import io

    out = io.StringIO()
    call_command("send_issue", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_send_issue_queues_it_and_shows_progress_while_the_worker_sends(
    site, monkeypatch, run_worker, mailoutbox
):
    SubscriberFactory.create_batch(3)
    IssueFactory(number=12)
    # Stand in for a db_worker running beside the command: it works while the command waits.
    monkeypatch.setattr(send_issue.time, "sleep", lambda seconds: run_worker())
    output = run("12")
    assert "Sending Issue #12 to 3 subscribers." in output
    assert "3/3" in output  # the progress bar, finished
    assert "Issue #12: 3 sent, 0 failed, 0 skipped." in output
    assert len(mailoutbox) == 3


def test_send_issue_says_when_no_worker_seems_to_run(site, monkeypatch):
    SubscriberFactory()
    IssueFactory(number=1)
    ticks = iter(range(100))

    def sleep(seconds):
        if next(ticks) > 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(send_issue.time, "sleep", sleep)
    output = run("1", "--stall-seconds", "0")
    assert "is a worker running?" in output
    assert "Stopped watching; the worker carries on sending." in output


def test_send_issue_with_the_immediate_backend_sends_inline(site, settings, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    SubscriberFactory.create_batch(2)
    IssueFactory(number=2)
    output = run("2")
    assert "Issue #2: 2 sent" in output
    assert len(mailoutbox) == 2


def test_send_issue_no_wait_and_already_sent(site):
    SubscriberFactory()
    issue = IssueFactory(number=5)
    assert "Sending Issue #5 to 1 subscribers." in run("5", "--no-wait")
    assert issue.deliveries.count() == 1
    assert "already sent; showing its progress" in run("5", "--no-wait")


def test_send_issue_test_mode_sends_one_message_now(site, mailoutbox):
    IssueFactory(number=3, status=Status.DRAFT)
    assert "Sent a test of Issue #3 to me@example.com." in run("3", "--test", "me@example.com")
    assert [m.subject for m in mailoutbox] == ["[Test] Warm Start: Issue #3"]


def test_send_issue_schedules(site):
    issue = IssueFactory(number=4)
    when = timezone.localtime() + datetime.timedelta(days=2)
    output = run("4", "--at", when.strftime("%Y-%m-%dT%H:%M"))
    assert "will be sent at" in output
    assert Issue.objects.get(pk=issue.pk).send_at is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["99"], "There is no issue #99."),
        (["1", "--at", "soon"], "is not a date and time"),
        (["1", "--at", "2001-01-01T00:00"], "Choose a time in the future."),
        (["2"], "is not published yet"),
    ],
)
def test_send_issue_errors(site, args, message):
    IssueFactory(number=1)
    IssueFactory(number=2, status=Status.DRAFT)
    with pytest.raises(CommandError, match=message):
        run(*args)
