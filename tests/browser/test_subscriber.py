"""A subscriber's journey: sign up, confirm from the email, receive an issue, leave."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from newsletter.models import Issue, Subscriber

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "browser.reader@example.com"


def link_in(message, pattern: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(pattern, text).group(0)


def test_subscriber_signs_up_confirms_receives_an_issue_and_unsubscribes(
    page,
    base,
    demo,
    smtp,
    run_worker,
    settings,
):
    settings.SITE_URL = base  # links in emails point at the live server

    page.goto(base + "/newsletter/")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Name (optional)").fill("Bea")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert Subscriber.objects.get(email=EMAIL).status == Subscriber.Status.PENDING

    run_worker()
    (confirmation,) = smtp.to(EMAIL)
    page.goto(link_in(confirmation, rf"{re.escape(base)}/newsletter/confirm/\S+"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    assert Subscriber.objects.get(email=EMAIL).status == Subscriber.Status.PENDING
    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    assert Subscriber.objects.get(email=EMAIL).status == Subscriber.Status.ACTIVE

    issue = Issue.objects.published().order_by("-number").first()
    call_command("send_issue", str(issue.number), "--no-wait", stdout=open("/dev/null", "w"))  # noqa: SIM115
    run_worker()
    issue_mail = [m for m in smtp.to(EMAIL) if issue.title in m["Subject"]]
    assert len(issue_mail) == 1
    assert issue_mail[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page.goto(link_in(issue_mail[0], rf"{re.escape(base)}/newsletter/unsubscribe/\S+"))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert Subscriber.objects.get(email=EMAIL).status == Subscriber.Status.UNSUBSCRIBED
