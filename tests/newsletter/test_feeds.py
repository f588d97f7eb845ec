"""The newsletter's feed (newsletter/feeds.py) holds its published issues only."""

import pytest
from django.urls import reverse

from tests.feed_helpers import parse

pytestmark = pytest.mark.django_db


def test_newsletter_feed_holds_its_published_issues(client, feed_content):
    def titles(name, *args):
        return [entry.title for entry in parse(client, reverse(name, args=args))[1].entries]

    assert titles("home:newsletter_feed") == ["Warm Start: Issue #7"]
    assert titles("home:newsletter_feed_atom") == ["Warm Start: Issue #7"]
