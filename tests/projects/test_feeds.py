"""A project's feed (projects/feeds.py) holds its published releases only."""

import pytest
from django.urls import reverse

from tests.feed_helpers import parse

pytestmark = pytest.mark.django_db


def test_project_feed_holds_its_own_releases(client, feed_content):
    def titles(name, *args):
        return [entry.title for entry in parse(client, reverse(name, args=args))[1].entries]

    assert titles("home:project_feed", "lambda-router") == ["Lambda Router v0.10.0 released"]
    assert titles("home:project_feed_atom", "lambda-router") == ["Lambda Router v0.10.0 released"]
    assert client.get(reverse("home:project_feed", args=["nope"])).status_code == 404
