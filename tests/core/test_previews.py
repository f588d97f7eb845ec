"""Previews of drafts and scheduled items: staff preview, signed share links, admin buttons."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from core import previews
from core.models import Status
from tests.factories import (
    CategoryFactory,
    IssueFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
    SeriesFactory,
    ago,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_user("editor", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def drafts(site):
    series = SeriesFactory(slug="prod", title="In production")
    PostFactory(title="Part one", series=series, series_part=1, published_at=ago(days=3))
    return {
        "post": PostFactory(title="Draft post & <friends>", status=Status.DRAFT,
                            body="Secret **draft** body.", series=series, series_part=2,
                            categories=[CategoryFactory()]),
        "release": ReleaseFactory(project=ProjectFactory(), version="2.0.0",
                                  title="Draft release", status=Status.DRAFT),
        "issue": IssueFactory(number=12, title="Scheduled issue",
                              published_at=timezone.now() + datetime.timedelta(days=2)),
    }  # fmt: skip


def assert_preview(response, title_fragment):
    assert response.status_code == 200
    html = response.content.decode()
    assert title_fragment in html
    assert 'class="preview-banner"' in html
    assert "<strong>Preview</strong>" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    cache_control = response["Cache-Control"]
    for word in ("no-cache", "no-store", "must-revalidate", "private"):
        assert word in cache_control
    assert "ETag" not in response
    return html


@pytest.mark.parametrize(
    ("kind", "title"),
    [("post", "Draft post &amp; &lt;friends&gt;"), ("release", "Draft release"),
     ("issue", "Scheduled issue")],
)  # fmt: skip
def test_staff_preview_of_drafts_and_scheduled_items(client, staff, drafts, kind, title):
    obj = drafts[kind]
    html = assert_preview(client.get(previews.preview_path(obj)), title)
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{obj.get_absolute_url()}">' in html
    # The public address still says 404.
    client.logout()
    assert client.get(obj.get_absolute_url()).status_code == 404


def test_post_preview_uses_the_post_template_with_its_series(client, staff, drafts):
    html = assert_preview(client.get(previews.preview_path(drafts["post"])), "Secret")
    assert "<strong>draft</strong>" in html
    assert "part 2 of 2" in html
    assert "of a draft" in html


def test_scheduled_preview_says_when_it_goes_live(client, staff, drafts):
    html = client.get(previews.preview_path(drafts["issue"])).content.decode()
    assert "of a scheduled item, public from" in html


def test_anonymous_visitors_cannot_use_the_staff_preview(client, drafts):
    response = client.get(previews.preview_path(drafts["post"]))
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert client.get("/preview/nonsense/1/").status_code == 302


@pytest.mark.parametrize("kind", ["post", "release", "issue"])
def test_share_link_works_without_logging_in(client, drafts, kind):
    url = previews.share_url(drafts[kind])
    assert url.startswith("http://127.0.0.1:8000/preview/")
    html = assert_preview(client.get(url.removeprefix("http://127.0.0.1:8000")), "Preview")
    assert "shared with you by the author" in html


def test_tampered_or_foreign_tokens_are_404(client, drafts):
    path = previews.share_url(drafts["post"]).removeprefix("http://127.0.0.1:8000")
    assert client.get(path[:-3] + "xyz/").status_code == 404
    assert client.get("/preview/not-a-token/").status_code == 404
    # A token signed for something else (another salt) is not a preview link.
    from django.core import signing

    other = signing.dumps(["post", drafts["post"].pk], salt="something.else")
    assert client.get(f"/preview/{other}/").status_code == 404


def test_share_links_expire(client, drafts):
    path = previews.share_url(drafts["post"]).removeprefix("http://127.0.0.1:8000")
    later = timezone.now() + previews.SHARE_LINK_MAX_AGE + datetime.timedelta(hours=1)
    with time_machine.travel(later):
        response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_preview_of_a_published_item_redirects_to_it(client, staff, drafts):
    post = drafts["post"]
    path = previews.share_url(post).removeprefix("http://127.0.0.1:8000")
    post.status = Status.PUBLISHED
    post.save()
    for url in (previews.preview_path(post), path):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == post.get_absolute_url()


@pytest.mark.parametrize(
    ("kind", "admin_name"),
    [("post", "blog_post"), ("release", "projects_release"), ("issue", "newsletter_issue")],
)
def test_admin_change_page_offers_preview_and_share_link(client, staff, drafts, kind, admin_name):
    obj = drafts[kind]
    html = client.get(reverse(f"admin:{admin_name}_change", args=[obj.pk])).content.decode()
    assert f'href="{previews.preview_path(obj)}"' in html
    assert ">Preview</a>" in html
    assert "Copy share link</a>" in html
    assert "http://127.0.0.1:8000/preview/" in html
    assert "style=" not in html


def test_admin_shows_no_preview_for_published_items(client, staff, site):
    post = PostFactory()
    html = client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    assert "Copy share link" not in html
