"""A feed opened in the browser reads as a page about the feed (static/feeds/feed.xsl)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/", "/feed/podcast/"])
def test_a_feed_in_the_browser_explains_itself_and_lists_its_items(page, base, demo, path):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(base + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This is a feed: follow it to get new items as they come out"
    )
    expect(page.locator(".feed-address code")).to_contain_text(path)
    expect(page.locator("article.card").first).to_be_visible()
    # Styled by the site's own stylesheet, linked (the CSP allows no inline style).
    background = page.evaluate("getComputedStyle(document.querySelector('.cta')).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    page.screenshot(path=f"/tmp/shots/readers/feed{path.replace('/', '-')}.png")
    # Chromium adds a notice of its own that XSLT is going away, with inline styles and an
    # inline handler that the CSP refuses; everything else on the page passes the CSP.
    outside_notice = page.evaluate(
        "[...document.querySelectorAll('[style], [onclick], style, script')]"
        ".filter(e => !e.closest('xslt-warning-banner')).length"
    )
    assert outside_notice == 0
    assert [e for e in errors if "Content Security Policy" not in e] == []
