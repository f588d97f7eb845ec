"""Revisions of posts, releases and issues: kept on each admin save, compared, restored."""

import re

import pytest
import reversion
from django.contrib.auth import get_user_model
from django.urls import reverse
from reversion.models import Version

from blog.models import Post
from core.models import Status
from core.revisions import line_diff
from newsletter.models import Issue
from projects.models import Release
from tests.factories import CategoryFactory, IssueFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client):
    user = get_user_model().objects.create_superuser("author", "author@example.com", "pw")
    client.force_login(user)
    return user


def url(obj, action, *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=[obj.pk, *args])


def issue_form(issue, **changes):
    data = {
        "number": issue.number,
        "title": issue.title,
        "subtitle": issue.subtitle,
        "body": issue.body,
        "status": issue.status,
        "on_web": "on",
        "by_email": "on",
        "published_at_0": "2026-01-05",
        "published_at_1": "10:00:00",
    }
    return {**data, **changes}


def assert_no_inline_script_or_style(html):
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
    assert "<style" not in html


@pytest.fixture
def edited_issue(client, site, author):
    """An issue saved twice in the admin: two revisions."""
    issue = IssueFactory(status=Status.DRAFT, body="Intro.\n\nFirst draft line.\n\nOutro.")
    client.post(url(issue, "change"), issue_form(issue))
    issue.refresh_from_db()
    client.post(
        url(issue, "change"),
        issue_form(issue, subtitle="A better subtitle", body="Intro.\n\nSecond line.\n\nOutro."),
    )
    issue.refresh_from_db()
    return issue


def test_each_admin_save_keeps_a_revision_with_its_author(edited_issue, author):
    versions = Version.objects.get_for_object(edited_issue)
    assert versions.count() == 2
    assert {v.revision.user for v in versions} == {author}
    newest, oldest = versions  # newest first
    assert oldest.field_dict["body"] == "Intro.\n\nFirst draft line.\n\nOutro."
    assert newest.field_dict["body"] == "Intro.\n\nSecond line.\n\nOutro."


@pytest.mark.parametrize("model", [Post, Release, Issue])
def test_posts_releases_and_issues_are_registered(model):
    assert reversion.is_registered(model)


def test_history_lists_revisions_with_compare_and_restore_links(client, edited_issue):
    response = client.get(url(edited_issue, "history"))
    html = response.content.decode()
    assert response.status_code == 200
    newest, oldest = Version.objects.get_for_object(edited_issue)
    compare = url(edited_issue, "compare")
    assert f"{compare}?from={oldest.pk}&amp;to={newest.pk}" in html
    assert f"{compare}?from={newest.pk}&amp;to=current" in html
    assert url(edited_issue, "revision", oldest.pk) in html
    assert_no_inline_script_or_style(html)


def test_compare_shows_what_changed_line_by_line(client, edited_issue):
    newest, oldest = Version.objects.get_for_object(edited_issue)
    response = client.get(url(edited_issue, "compare") + f"?from={oldest.pk}&to={newest.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<del class="diff-line diff-removed">.*First draft line\.</del>', html)
    assert re.search(r'<ins class="diff-line diff-added">.*Second line\.</ins>', html)
    assert "Intro." in html  # context around the change
    assert "A better subtitle" in html  # another field that changed
    assert "Number" not in html  # fields that did not change are left out
    assert url(edited_issue, "revision", oldest.pk) in html
    assert_no_inline_script_or_style(html)


def test_compare_with_the_current_version(client, edited_issue):
    newest, _ = Version.objects.get_for_object(edited_issue)
    html = client.get(url(edited_issue, "compare") + f"?from={newest.pk}&to=current").content
    assert "These two versions are the same." in html.decode()
    Issue.objects.filter(pk=edited_issue.pk).update(body="Rewritten outside the admin.")
    html = client.get(url(edited_issue, "compare") + f"?from={newest.pk}&to=current").content
    assert "Rewritten outside the admin." in html.decode()


def test_compare_names_categories_and_ignores_millisecond_rounding(client, site, author):
    post = PostFactory(status=Status.DRAFT)
    with reversion.create_revision():
        post.save()
    post.categories.add(CategoryFactory(name="Databases"))
    with reversion.create_revision():
        post.save()
    older, newer = reversed(Version.objects.get_for_object(post))
    html = client.get(url(post, "compare") + f"?from={older.pk}&to={newer.pk}").content.decode()
    assert "Databases" in html
    # published_at is stored with microseconds; a revision keeps milliseconds only.
    assert "Publication date" not in html


@pytest.mark.parametrize("query", ["", "?from=999999&to=current", "?from=abc", "?to=current"])
def test_compare_without_two_revisions_of_this_item_is_a_404(client, edited_issue, query):
    assert client.get(url(edited_issue, "compare") + query).status_code == 404


def test_compare_of_another_items_revision_is_a_404(client, edited_issue):
    other = IssueFactory()
    with reversion.create_revision():
        other.save()
    version = Version.objects.get_for_object(other).first()
    response = client.get(url(edited_issue, "compare") + f"?from={version.pk}&to=current")
    assert response.status_code == 404


def test_compare_is_closed_to_anonymous_users(client, edited_issue):
    client.logout()
    response = client.get(url(edited_issue, "compare") + "?from=1&to=current")
    assert response.status_code == 302


def test_restoring_a_revision_brings_its_text_back(client, edited_issue):
    _, oldest = Version.objects.get_for_object(edited_issue)
    restore = url(edited_issue, "revision", oldest.pk)

    form = client.get(restore)
    assert form.status_code == 200
    assert "First draft line." in form.content.decode()
    edited_issue.refresh_from_db()
    assert "Second line." in edited_issue.body  # opening the form changes nothing

    response = client.post(restore, issue_form(edited_issue, body=oldest.field_dict["body"]))
    assert response.status_code == 302
    edited_issue.refresh_from_db()
    assert edited_issue.body == "Intro.\n\nFirst draft line.\n\nOutro."
    assert "First draft line." in edited_issue.body_html
    versions = Version.objects.get_for_object(edited_issue)
    assert versions.count() == 3
    assert "Reverted" in versions.first().revision.get_comment()


def test_line_diff_folds_long_unchanged_stretches():
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 10", "line ten")
    diff = line_diff(old, new)
    kinds = [line.kind for line in diff]
    assert kinds == ["fold", *["same"] * 3, "removed", "added", *["same"] * 3]
    assert diff[0].text == "… line 7"
    assert [line.text for line in diff if line.kind != "same"][1:] == ["line 10", "line ten"]
