"""The author's side: every admin add/change form works for staff and is closed to others."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blog.models import Category, Post
from core.models import SiteSettings, Status
from newsletter.models import Issue, Subscriber
from projects.models import Project, Release
from tests.audio_samples import MP3
from tests.factories import (
    CategoryFactory,
    IssueFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client):
    user = get_user_model().objects.create_superuser("author", "author@example.com", "pw")
    client.force_login(user)
    return user


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


EXISTING = {
    Category: CategoryFactory,
    Post: PostFactory,
    Project: ProjectFactory,
    Release: ReleaseFactory,
    Issue: IssueFactory,
    Subscriber: SubscriberFactory,
}


@pytest.mark.parametrize("model", list(EXISTING))
def test_changelist_add_and_change_pages_open_for_staff(client, site, author, model):
    obj = EXISTING[model]()
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "changelist") + "?q=e",
        admin_url(model, "add"),
        admin_url(model, "change", obj.pk),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", [*EXISTING, SiteSettings])
def test_admin_is_closed_to_anonymous_users(client, site, model):
    for url in (admin_url(model, "changelist"), admin_url(model, "add")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_markdown_fields_use_the_live_preview_editor(client, site, author):
    html = client.get(admin_url(Post, "add")).content.decode()
    assert 'class="markdownx"' in html
    assert "markdownx-preview" in html
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in html
    for model in (Project, Release, Issue):
        assert "markdownx-preview" in client.get(admin_url(model, "add")).content.decode()
    assert "markdownx-preview" in client.get(admin_url(SiteSettings, "change")).content.decode()


def test_author_writes_a_post_with_audio_in_the_admin(client, site, author):
    category = CategoryFactory()
    response = client.post(
        admin_url(Post, "add"),
        {
            "title": "Tuning Lambda memory",
            "slug": "tuning-lambda-memory",
            "body": "First paragraph.\n\n```python\nprint(1)\n```",
            "excerpt": "",
            "categories": [category.pk],
            "status": Status.PUBLISHED,
            "published_at_0": "2026-01-05",
            "published_at_1": "10:00:00",
            "audio": SimpleUploadedFile("episode.mp3", MP3.read_bytes(), "audio/mpeg"),
            "meta_description": "",
            "cover_alt": "",
            # The update-notes inline (blog.admin.PostUpdateInline), left empty.
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get()
    assert post.teaser == "First paragraph."
    assert post.audio_mime_type == "audio/mpeg"
    assert list(post.categories.all()) == [category]
    assert client.get(post.get_absolute_url()).status_code == 200


def test_admin_refuses_a_non_audio_upload_with_a_message(client, site, author):
    response = client.post(
        admin_url(Post, "add"),
        {
            "title": "T",
            "slug": "t",
            "body": "b",
            "status": Status.DRAFT,
            "published_at_0": "2026-01-05",
            "published_at_1": "10:00:00",
            "audio": SimpleUploadedFile("song.mp3", b"not audio at all" * 100, "audio/mpeg"),
        },
    )
    assert response.status_code == 200
    assert "could not be read as audio" in response.content.decode()
    assert not Post.objects.exists()


def test_release_title_defaults_and_version_is_validated(client, site, author):
    project = ProjectFactory(name="Lambda Router")
    data = {
        "project": project.pk,
        "version": "not a version",
        "title": "",
        "summary": "Faster.",
        "notes": "",
        "status": Status.PUBLISHED,
        "published_at_0": "2026-01-05",
        "published_at_1": "10:00:00",
    }
    response = client.post(admin_url(Release, "add"), data)
    assert "is not a version number" in response.content.decode()
    data["version"] = "v0.10.0"
    assert "without the leading" in client.post(admin_url(Release, "add"), data).content.decode()
    data["version"] = "0.10.0"
    assert client.post(admin_url(Release, "add"), data).status_code == 302
    assert Release.objects.get().title == "Lambda Router v0.10.0 released"
    response = client.post(admin_url(Release, "add"), data)
    assert "already exists" in response.content.decode()
    assert Release.objects.count() == 1


def test_issue_number_is_suggested_and_title_defaults(client, site, author):
    IssueFactory(number=4)
    response = client.get(admin_url(Issue, "add"))
    assert response.context["adminform"].form.initial["number"] == 5
    response = client.post(
        admin_url(Issue, "add"),
        {
            "number": 5,
            "title": "",
            "subtitle": "Retries",
            "body": "Hello",
            "on_web": "on",
            "by_email": "on",
            "status": Status.DRAFT,
            "published_at_0": "2026-01-05",
            "published_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302
    assert Issue.objects.get(number=5).title == "Warm Start: Issue #5"


def test_site_settings_are_one_record_edited_in_the_admin(client, site, author):
    assert "author_name" in client.get(admin_url(SiteSettings, "changelist")).content.decode()
    response = client.post(
        admin_url(SiteSettings, "change"),
        {
            "author_name": "New Name",
            "tagline": "A tagline",
            "bio": "Bio with *emphasis*",
            "newsletter_name": "Weekly",
            "newsletter_pitch": "Pitch",
            "subscriber_count_threshold": 10,
            "mastodon_url": "https://social.example/@me",
        },
    )
    assert response.status_code == 302
    settings = SiteSettings.get_solo()
    assert settings.bio_html == "<p>Bio with <em>emphasis</em></p>\n"
    html = client.get("/").content.decode()
    assert "New Name" in html
    assert 'href="https://social.example/@me"' in html


def test_duplicate_subscriber_email_is_refused_case_insensitively(client, site, author):
    SubscriberFactory(email="reader@example.com")
    response = client.post(
        admin_url(Subscriber, "add"),
        {"email": "READER@example.com", "name": "", "status": "active", "source": "admin"},
    )
    assert response.status_code == 200
    assert "already on the list" in response.content.decode()


def test_publish_now_action(client, site, author):
    draft = PostFactory(status=Status.DRAFT)
    client.post(
        admin_url(Post, "changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.is_published


def test_markdown_preview_and_upload_are_staff_only(client, site):
    assert client.post("/markdownx/markdownify/", {"content": "*x*"}).status_code == 302
    client.force_login(get_user_model().objects.create_user("staff", is_staff=True))
    response = client.post("/markdownx/markdownify/", {"content": "*x* <script>1</script>"})
    assert response.content.decode() == "<p><em>x</em> </p>\n"


def test_admin_pages_need_no_inline_script_or_style(client, site, author):
    """The strict Content Security Policy holds in the admin too."""
    post = PostFactory()
    for url in (
        reverse("admin:index"),
        admin_url(Post, "changelist"),
        admin_url(Post, "add"),
        admin_url(Post, "change", post.pk),
        admin_url(SiteSettings, "change"),
    ):
        response = client.get(url)
        html = response.content.decode()
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "style=" not in html, url
        assert "<style" not in html, url
