"""The import from the admin, for authors who do not use a shell."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blog.models import Post
from tests.wordpress.conftest import FIXTURES
from tests.wordpress.wxr import export, item
from wordpress.models import ImportedItem

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:wordpress_importeditem_import"


@pytest.fixture
def author(client):
    user = get_user_model().objects.create_superuser("author", "author@example.com", "pw")
    client.force_login(user)
    return user


def upload(data: bytes, name="export.xml"):
    return SimpleUploadedFile(name, data, content_type="text/xml")


def assert_no_inline_script_or_style(response):
    html = response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
    assert "<style" not in html


def test_import_page_is_linked_from_the_app_index_and_the_item_list(client, site, author):
    url = reverse(IMPORT_URL)
    app_index = client.get(reverse("admin:app_list", args=["wordpress"]))
    assert f'href="{url}"' in app_index.content.decode()
    assert_no_inline_script_or_style(app_index)
    changelist = client.get(reverse("admin:wordpress_importeditem_changelist"))
    assert f'href="{url}"' in changelist.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert_no_inline_script_or_style(response)


def test_import_page_is_for_staff_who_may_write_posts(client, site):
    url = reverse(IMPORT_URL)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    staff = get_user_model().objects.create_user("helper", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="blog", codename__in=["add_post", "change_post", "add_category"]
        )
    )
    assert client.get(url).status_code == 200


def test_uploaded_export_is_imported_and_the_summary_shown(client, site, author):
    data = export(item(1, "From the admin", post_name="from-admin"), item(2, password="x"))
    response = client.post(reverse(IMPORT_URL), {"export": upload(data), "pages": "skip"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The import is done" in html
    assert "post: 2 — 2 created" in html
    assert "password-protected on WordPress; imported as a draft" in html
    assert_no_inline_script_or_style(response)
    assert Post.objects.filter(slug="from-admin").exists()
    assert ImportedItem.objects.count() == 2
    items = client.get(reverse("admin:wordpress_importeditem_changelist")).content.decode()
    assert "From the admin" in items


def test_dry_run_from_the_admin_changes_nothing(client, site, author):
    data = export(item(1))
    response = client.post(
        reverse(IMPORT_URL), {"export": upload(data), "pages": "skip", "dry_run": "on"}
    )
    assert "Dry run: nothing was changed" in response.content.decode()
    assert not Post.objects.exists()


def test_the_malformed_export_imports_with_its_warnings_listed(client, site, author):
    data = (FIXTURES / "malformed.xml").read_bytes()
    response = client.post(reverse(IMPORT_URL), {"export": upload(data), "pages": "skip"})
    html = response.content.decode()
    assert "post: 6 — 5 created; 1 failed" in html
    assert "Namespace prefix wp" in html
    assert Post.objects.count() == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "This is not an XML file"),
        (b"", "The submitted file is empty"),
        (b"<html><body><p>Hello</p></body></html>", "not a WordPress export"),
        (b'<?xml version="1.0"?><rss><channel><item/></channel></rss>', "RSS feed"),
    ],
)
def test_files_that_are_not_exports_are_refused_clearly(client, site, author, data, message):
    response = client.post(reverse(IMPORT_URL), {"export": upload(data), "pages": "skip"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_the_upload_size_is_limited(client, site, author, settings):
    settings.WORDPRESS_IMPORT_MAX_UPLOAD_MB = 0
    response = client.post(reverse(IMPORT_URL), {"export": upload(export(item(1)))})
    html = response.content.decode()
    assert "the limit here is 0" in html
    assert "import_wordpress" in html
    assert not Post.objects.exists()
