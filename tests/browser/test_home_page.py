"""The home page header and author card, as a reader sees them."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_avatar_stands_clear_of_the_header(page, base, demo, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(base + "/")
    gap = page.evaluate(
        "document.querySelector('.avatar').getBoundingClientRect().top"
        " - document.querySelector('.site-header').getBoundingClientRect().bottom"
    )
    assert gap >= 16, gap
    page.screenshot(path=f"/tmp/shots/readers/home-{width}.png")
