"""The home timeline's heading says what the timeline holds."""

import pytest

from tests.factories import IssueFactory, PostFactory, ReleaseFactory, ago

pytestmark = pytest.mark.django_db


def heading(client, path="/") -> str:
    html = client.get(path).content.decode()
    return html.split('<h2 id="latest">')[1].split("</h2>")[0]


def test_heading_names_every_kind_the_timeline_mixes(client, site):
    PostFactory(published_at=ago(days=3))
    assert heading(client) == "Latest posts"
    ReleaseFactory(published_at=ago(days=2))
    assert heading(client) == "Latest posts and releases"
    IssueFactory(published_at=ago(days=1))
    assert heading(client) == "Latest posts, releases and newsletter issues"


def test_older_pages_say_so(client, site, settings):
    settings.TIMELINE_PAGE_SIZE = 2
    for days in range(3):
        PostFactory(published_at=ago(days=10 + days))
    IssueFactory(published_at=ago(days=1))
    ReleaseFactory(published_at=ago(days=2))
    assert heading(client, "/?page=2") == "Older posts, page 2"


def test_an_empty_site_still_has_a_heading(client, site):
    assert heading(client) == "Latest posts"
