"""The admin in a real browser: "Copy share link" (the clipboard and its fallbacks), the
dashboard and the post list at 1280 px."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone
from playwright.sync_api import expect

from core import previews
from core.models import Status
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONG_TITLE = "What I learned maintaining a framework nobody was supposed to use, for six years"

# Removes the asynchronous clipboard from the page (as on a plain-HTTP site or an older
# browser), keeping a handle for the test to read what was copied.
NO_ASYNC_CLIPBOARD = """
window.__clipboard = navigator.clipboard;
Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});
"""
# On top of that, a browser that refuses execCommand("copy") too.
NO_COPY_AT_ALL = NO_ASYNC_CLIPBOARD + "document.execCommand = () => false;"


@pytest.fixture
def draft(site):
    return PostFactory(title="A draft for review", status=Status.DRAFT)


def log_in(page, base):
    get_user_model().objects.create_superuser("writer", "writer@example.com", "a-long-password")
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "writer")
    page.fill("#id_password", "a-long-password")
    page.click("input[type=submit]")
    expect(page.get_by_role("heading", name="Write and publish")).to_be_visible()


@pytest.fixture
def clipboard_page(browser, base):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    yield context.new_page()
    context.close()


def open_change_page(page, base, post):
    page.goto(f"{base}/admin/blog/post/{post.pk}/change/")
    button = page.locator("[data-copy-share-link]")
    expect(button).to_have_text("Copy share link")
    return button


def share_link_of(page, post):
    """The link written out on the page, checked to be a valid share link of `post`."""
    url = page.locator("[data-share-link]").get_attribute("href")
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert signing.loads(token, salt=previews.SALT) == ["post", post.pk]
    return url


def test_copy_share_link_puts_the_link_on_the_clipboard(clipboard_page, base, draft, browser):
    page = clipboard_page
    log_in(page, base)
    page.evaluate("navigator.clipboard.writeText('something else')")
    button = open_change_page(page, base, draft)
    button.click()
    expect(page.locator("[data-share-link-status]")).to_have_text(
        "Share link copied: paste it into a message to your reviewer."
    )
    expect(button).to_have_text("Link copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == share_link_of(page, draft)
    assert len(page.context.pages) == 1  # copying does not open the link

    # What was copied opens the preview for someone who is not logged in.
    reviewer = browser.new_context()
    shared = reviewer.new_page()
    shared.goto(copied.replace("http://127.0.0.1:8000", base))
    expect(shared.get_by_role("heading", name="A draft for review")).to_be_visible()
    reviewer.close()


def test_without_the_async_clipboard_the_link_is_still_copied(clipboard_page, base, draft):
    page = clipboard_page
    log_in(page, base)
    page.add_init_script(NO_ASYNC_CLIPBOARD)
    button = open_change_page(page, base, draft)
    assert page.evaluate("navigator.clipboard") is None
    button.click()
    expect(page.locator("[data-share-link-status]")).to_have_text(
        "Share link copied: paste it into a message to your reviewer."
    )
    assert page.evaluate("window.__clipboard.readText()") == share_link_of(page, draft)


def test_when_the_browser_copies_nothing_the_link_is_selected_with_a_hint(
    clipboard_page, base, draft
):
    page = clipboard_page
    log_in(page, base)
    page.add_init_script(NO_COPY_AT_ALL)
    open_change_page(page, base, draft).click()
    expect(page.locator("[data-share-link-status]")).to_contain_text("press Ctrl+C")
    assert page.evaluate("window.getSelection().toString()") == share_link_of(page, draft)


def test_dashboard_and_post_list_at_1280px(page, base, site):
    now = timezone.now()
    PostFactory(title="Half-written post", status=Status.DRAFT)
    PostFactory(title=LONG_TITLE, published_at=now + datetime.timedelta(days=2))
    for n in range(5):
        PostFactory(title=f"{LONG_TITLE} (part {n})", published_at=now - datetime.timedelta(n))
    log_in(page, base)

    drafts = page.locator("section.dashboard-drafts")
    expect(drafts.get_by_role("link", name="Half-written post")).to_be_visible()
    scheduled = page.locator("section.dashboard-scheduled")
    expect(scheduled.get_by_role("link", name=LONG_TITLE)).to_be_visible()
    # The scheduled title reads on a few lines, not one letter a line.
    title_cell = scheduled.locator("tbody th").first
    lines = title_cell.evaluate(
        "el => Math.round(el.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(el).lineHeight))"
    )
    assert lines <= 3

    page.goto(base + "/admin/blog/post/?state=scheduled")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    page.goto(base + "/admin/blog/post/")
    heights = page.locator("#result_list td.field-title, #result_list th.field-title")
    expect(heights).to_have_count(7)
    worst = max(
        cell.evaluate(
            "el => Math.round(el.querySelector('a').getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(el.querySelector('a')).lineHeight))"
        )
        for cell in heights.all()
    )
    assert worst <= 3, f"a title wraps to {worst} lines"
