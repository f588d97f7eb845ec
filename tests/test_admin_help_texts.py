"""Help texts with placeholders in angle brackets read as written in the admin's forms
(Django prints help texts as HTML, so an unescaped `<project>` would vanish as a tag)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from lxml import html as lxml_html

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "field", "text"),
    [
        ("admin:projects_release_add", "title", "“<project> v<version> released”"),
        ("admin:newsletter_issue_add", "title", "“<newsletter name>: Issue #<n>”"),
        ("admin:core_sitesettings_change", "podcast_title", "“<author name> (audio)”"),
    ],
)
def test_placeholders_in_help_texts_are_shown(client, site, url_name, field, text):
    user = get_user_model().objects.create_superuser("author", "author@example.com", "pw")
    client.force_login(user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content.decode())
    [help_text] = page.xpath(f'//div[@id="id_{field}_helptext"]')
    assert text in help_text.text_content()
    assert b"<project>" not in response.content
