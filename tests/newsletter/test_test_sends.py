"""A test send needs an email address on the author's account; without one, the admin
says so and links to the form where it is added."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from lxml import html as lxml_html

from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


def page_of(response):
    return lxml_html.fromstring(response.content.decode())


def error_messages(response):
    return page_of(response).xpath('//ul[@class="messagelist"]/li[@class="error"]')


def test_without_an_email_the_test_send_links_to_the_account_form(client, site, smtp):
    user = get_user_model().objects.create_superuser("admin", "", "pw")
    client.force_login(user)
    issue = IssueFactory(number=3)
    account_form = reverse("admin:auth_user_change", args=[user.pk])

    send_page = client.get(reverse("admin:newsletter_issue_send", args=[issue.pk]))
    assert account_form in [a.get("href") for a in page_of(send_page).iter("a")]

    response = client.post(
        reverse("admin:newsletter_issue_send_test", args=[issue.pk]), follow=True
    )
    [message] = error_messages(response)
    assert " ".join(message.text_content().split()) == (
        "Your account has no email address: add one to your account to receive tests."
    )
    [link] = message.iter("a")
    assert link.get("href") == account_form
    assert smtp.messages == []

    # The link opens the form with the email field; once it is filled in, tests arrive.
    form = client.get(account_form)
    assert page_of(form).xpath('//input[@name="email"]')
    user.email = "ada@example.com"
    user.save()
    response = client.post(
        reverse("admin:newsletter_issue_send_test", args=[issue.pk]), follow=True
    )
    assert not error_messages(response)
    [test] = smtp.to("ada@example.com")
    assert "Issue #3" in test["Subject"]


def test_staff_who_cannot_edit_users_are_told_whom_to_ask(client, site):
    user = get_user_model().objects.create_user("writer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_issue", "change_issue"])
    )
    client.force_login(user)
    issue = IssueFactory(number=4)
    response = client.post(
        reverse("admin:newsletter_issue_send_test", args=[issue.pk]), follow=True
    )
    [message] = error_messages(response)
    assert message.text_content().strip() == (
        "Your account has no email address: ask an administrator to add one."
    )
    assert not list(message.iter("a"))
