"""`manage.py rerender_markdown`: stored HTML brought up to date, nothing else touched; every
model with Markdown is in the registry it walks (core.rerendering)."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from markdownx.models import MarkdownxField

from blog.models import Post
from core import rerendering
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


def markdown_fields(model) -> set[str]:
    return {
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, MarkdownxField) or field.name.endswith("_html")
    }


def test_every_model_with_markdown_is_registered_with_its_fields():
    registered = {entry.model: set(entry.fields) for entry in rerendering.registered()}
    with_markdown = {model: markdown_fields(model) for model in apps.get_models()}
    with_markdown = {model: names for model, names in with_markdown.items() if names}
    assert with_markdown  # the check below would pass vacuously otherwise
    for model, names in with_markdown.items():
        assert model in registered, f"{model._meta.label} is not in core.rerendering"
        assert names <= registered[model], f"{model._meta.label}: {names - registered[model]}"


def test_each_registered_kind_is_reported(site):
    output = run("--dry-run")
    for entry in rerendering.registered():
        assert f"{entry.model._meta.verbose_name_plural}: 0 to change" in output
