"""`manage.py rerender_markdown`: stored HTML brought up to date, nothing else touched."""

from io import StringIO

import pytest
from django.core.management import call_command

from blog.models import Post
from newsletter.models import Issue
from tests.factories import IssueFactory, PostFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("rerender_markdown", *args, stdout=out)
    return out.getvalue()


def test_stale_html_is_rendered_again_without_moving_updated_at(client, site):
    post = PostFactory(body="Some **bold** words.\n\nMore.", slug="stale")
    issue = IssueFactory(body="Hello *there*.")
    Post.objects.filter(pk=post.pk).update(body_html="<p>old renderer</p>", teaser="old")
    Issue.objects.filter(pk=issue.pk).update(body_html="<p>old</p>")
    before = Post.objects.get(pk=post.pk).updated_at

    assert "2 items would change" in run("--dry-run")
    assert Post.objects.get(pk=post.pk).body_html == "<p>old renderer</p>"

    output = run()
    assert "posts: 1 changed" in output
    assert "2 items changed" in output
    post.refresh_from_db()
    assert "<strong>bold</strong>" in post.body_html
    assert post.teaser == "Some bold words."
    assert post.updated_at == before
    assert "<em>there</em>" in Issue.objects.get(pk=issue.pk).body_html
    assert "<strong>bold</strong>" in client.get(post.get_absolute_url()).content.decode()

    assert "0 items changed" in run()  # nothing left to do


def test_cached_pages_show_the_new_html_at_once(client, site, settings):
    settings.PAGE_CACHE_SECONDS = 3600
    post = PostFactory(body="A `code` word.", slug="cached")
    Post.objects.filter(pk=post.pk).update(body_html="<p>old renderer</p>")
    assert "old renderer" in client.get(post.get_absolute_url()).content.decode()
    assert client.get(post.get_absolute_url())["X-Cache"] == "hit"
    run()
    page = client.get(post.get_absolute_url())
    assert "<code>code</code>" in page.content.decode()
