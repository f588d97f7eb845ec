"""Audio served by the app itself seeks like any audio on the web (core.ranges)."""

from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.testcases import _MediaFilesHandler

from tests.audio_samples import silent_mp3
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site_serves_media(live_server, monkeypatch):
    """The live server hands MEDIA_URL to Django's own test file handler (no ranges);
    let the site's media view (core.views.serve_media) answer, as it does in production."""
    handler = live_server.thread.httpd.get_app().application
    assert isinstance(handler, _MediaFilesHandler)
    # A base URL with a host is one the handler never claims (FSFilesHandler._should_handle).
    monkeypatch.setattr(handler, "base_url", urlparse("http://media.invalid/"))


def test_a_ten_minute_episode_seeks_to_eight_minutes_and_plays_from_there(
    page, base, site, site_serves_media
):
    post = PostFactory(
        title="A long episode",
        audio=SimpleUploadedFile("long-episode.mp3", silent_mp3(600), "audio/mpeg"),
    )
    partial = []
    page.on(
        "response",
        lambda r: "/media/" in r.url and r.status == 206 and partial.append(r.headers),
    )
    page.goto(base + post.get_absolute_url())
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0.1")
    seekable_end = page.evaluate(
        "() => { const s = document.querySelector('audio').seekable;"
        " return s.length ? s.end(s.length - 1) : 0; }"
    )
    assert seekable_end >= 599  # the whole file, not just what was downloaded

    page.evaluate("document.querySelector('audio').currentTime = 480")
    page.wait_for_function(
        "() => { const a = document.querySelector('audio');"
        " return !a.seeking && !a.paused && a.currentTime > 480.3; }"
    )
    position = page.evaluate("document.querySelector('audio').currentTime")
    assert 480 < position < 540  # playing on from 8:00, not restarted from the beginning
    assert partial, "the player fetched byte ranges"
    assert all(h["content-range"].startswith("bytes ") for h in partial)
