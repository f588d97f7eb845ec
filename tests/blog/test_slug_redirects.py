"""Renamed posts keep their old addresses (301), and hand-made redirects work."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.redirects.models import Redirect
from django.urls import reverse

from core.models import Status
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def rename(post, slug):
    post.slug = slug
    post.save()


def assert_moved(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, old
    assert response["Location"] == new


def test_every_old_slug_of_a_renamed_post_answers_301_to_the_current_one(client, site):
    post = PostFactory(slug="first")
    rename(post, "second")
    rename(post, "third")
    rename(post, "fourth")

    for old in ("first", "second", "third"):
        assert_moved(client, f"/posts/{old}/", "/posts/fourth/")
    assert client.get("/posts/fourth/").status_code == 200
    # No chains: every redirect points straight at the current address.
    assert set(Redirect.objects.values_list("new_path", flat=True)) == {"/posts/fourth/"}


def test_a_renamed_post_loaded_fresh_from_the_database_also_redirects(client, site):
    PostFactory(slug="old-name")
    from blog.models import Post

    rename(Post.objects.get(slug="old-name"), "new-name")
    assert_moved(client, "/posts/old-name/", "/posts/new-name/")


def test_renaming_back_removes_the_redirect_from_the_live_address(client, site):
    post = PostFactory(slug="a")
    rename(post, "b")
    rename(post, "a")
    assert client.get("/posts/a/").status_code == 200
    assert_moved(client, "/posts/b/", "/posts/a/")
    assert not Redirect.objects.filter(old_path="/posts/a/").exists()


def test_drafts_can_be_renamed_freely(client, site):
    post = PostFactory(slug="working-title", status=Status.DRAFT)
    rename(post, "final-title")
    assert not Redirect.objects.exists()


def test_a_new_post_can_take_an_old_address(client, site):
    post = PostFactory(slug="taken")
    rename(post, "moved")
    PostFactory(slug="taken", title="The new owner")
    assert not Redirect.objects.filter(old_path="/posts/taken/").exists()
    assert "The new owner" in client.get("/posts/taken/").content.decode()
    assert client.get("/posts/moved/").status_code == 200


def test_renaming_in_the_admin_redirects_the_old_address(client, site):
    post = PostFactory(slug="admin-old", title="Admin renamed")
    client.force_login(get_user_model().objects.create_superuser("a", "a@example.com", "pw"))
    response = client.get(reverse("admin:blog_post_change", args=[post.pk]))
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({
        "slug": "admin-new",
        "published_at_0": post.published_at.strftime("%Y-%m-%d"),
        "published_at_1": post.published_at.strftime("%H:%M:%S"),
        "categories": [],
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
    })  # fmt: skip
    data.pop("published_at", None)
    data.pop("audio", None)
    data.pop("cover_image", None)
    response = client.post(reverse("admin:blog_post_change", args=[post.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    assert_moved(client, "/posts/admin-old/", "/posts/admin-new/")


def test_hand_made_redirects_from_the_old_wordpress_site(client, site):
    client.force_login(get_user_model().objects.create_superuser("a", "a@example.com", "pw"))
    response = client.post(
        reverse("admin:redirects_redirect_add"),
        {"site": 1, "old_path": "/2019/05/12/cold-starts/", "new_path": "/posts/cold-starts/"},
    )
    assert response.status_code == 302
    client.logout()
    assert_moved(client, "/2019/05/12/cold-starts/", "/posts/cold-starts/")
    # Only for addresses that would otherwise be 404: live pages are never hijacked.
    PostFactory(slug="live")
    Redirect.objects.create(site_id=1, old_path="/posts/live/", new_path="/")
    assert client.get("/posts/live/").status_code == 200
