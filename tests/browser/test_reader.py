"""A reader's journey through the site in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from blog.models import Post

pytestmark = pytest.mark.django_db(transaction=True)

LATEST = "Latest posts, releases and newsletter issues"


def test_reader_pages_back_opens_a_post_plays_audio_and_follows_links(page, base, demo):
    page.goto(base + "/")
    expect(page.get_by_role("heading", name=LATEST)).to_be_visible()

    # Page back through the timeline and return.
    page.get_by_role("link", name="Older posts").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(page.get_by_role("heading", name=re.compile(r"^Older .*, page 2$"))).to_be_visible()
    page.get_by_role("link", name="Newer posts").click()
    expect(page.get_by_role("heading", name=LATEST)).to_be_visible()

    # Open a post that has an audio version, from its card.
    post = Post.objects.published().exclude(audio="").first()
    page.get_by_role("link", name=post.title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(post.title)
    audio = page.locator("audio")
    expect(audio).to_have_attribute("preload", "none")

    # The player loads and plays the file.
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_function(
        "() => document.querySelector('audio').currentTime > 0.2", timeout=10_000
    )
    duration = page.evaluate("document.querySelector('audio').duration")
    assert abs(duration - post.audio_duration) <= 1

    # Follow one of its categories.
    category = post.categories.first()
    page.locator(".post-header").get_by_role("link", name=category.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(category.name)
    expect(page.locator(".card-post").first).to_be_visible()

    # Search from the header box.
    search = page.get_by_role("search").get_by_role("searchbox")
    search.fill("explain plans")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=explain\+plans"))
    expect(page.locator("mark").first).to_be_visible()
    expect(page.get_by_role("link", name="Reading EXPLAIN plans without fear")).to_be_visible()

    # A release, from the projects list.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    page.locator(".card-project .card-title a").first.click()
    page.locator(".card-release .card-title a").first.click()
    expect(page.locator(".kicker").first).to_contain_text("Project update")

    # A newsletter issue, from the newsletter page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Newsletter").click()
    page.locator(".issue-list a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Issue #3")


def test_pages_log_no_browser_errors(page, base, demo):
    """No CSP violation, missing file or script error on the main page types."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    post = Post.objects.published().exclude(audio="").first()
    for path in ("/", post.get_absolute_url(), "/archive/", "/projects/", "/newsletter/"):
        page.goto(base + path)
    assert errors == []
