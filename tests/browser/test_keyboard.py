"""The site without a mouse: skip link, navigation, signup form, visible focus."""

import pytest
from playwright.sync_api import expect

from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db(transaction=True)


def focused(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                text: (el.innerText || el.value || '').trim(),
                name: el.getAttribute('name'),
                outline: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth),
            };
        }"""
    )


def test_keyboard_only_navigation_with_visible_focus(page, base, demo):
    page.goto(base + "/")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to content"
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()

    seen = []
    for _ in range(5):
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["outline"] != "none", state
        assert state["outlineWidth"] >= 2, state
        seen.append(state["text"])
    assert seen[:4] == ["Riley Castellano", "Blog", "Projects", "Newsletter"]

    # Search: Tab reaches the header's search box; typing and Enter search.
    page.goto(base + "/")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "search":
            break
    assert page.evaluate("document.activeElement.type") == "search"
    page.keyboard.type("cold starts")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("cold starts")

    # Enter on a focused navigation link follows it.
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/projects/")


def test_keyboard_only_signup(page, base, demo):
    page.goto(base + "/newsletter/")
    page.locator("#signup-email-newsletter").focus()
    page.keyboard.type("keyboard.reader@example.com")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "name"
    page.keyboard.type("Kay")
    page.keyboard.press("Tab")  # the honeypot is out of the tab order
    assert focused(page)["text"] == "Subscribe"
    page.keyboard.press("Enter")
    page.wait_for_url("**/subscribe/**")
    assert Subscriber.objects.filter(email="keyboard.reader@example.com").exists()
