"""What the feed tests share: one site's worth of content (published, draft and
scheduled), the feeds by URL name, and a strict parse."""

import datetime
import io

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.models import Status
from tests.audio_samples import silent_mp3
from tests.factories import (
    CategoryFactory,
    IssueFactory,
    PostFactory,
    ProjectFactory,
    ReleaseFactory,
    SeriesFactory,
    ago,
)

SITE = "http://127.0.0.1:8000"
TRICKY_TITLE = "Ünïcödé “quotes” & <b>tags</b> 'n' \"dq\" — 日本語"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def png(size: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def feed_content(site):
    """Posts, a release and an issue, published, draft and scheduled (a fixture for every
    test module: tests/conftest.py loads this one as a plugin)."""
    category = CategoryFactory(slug="serverless", name="Serverless")
    other = CategoryFactory(slug="databases", name="Databases")
    series = SeriesFactory(slug="in-production", title="In production")
    project = ProjectFactory(slug="lambda-router", name="Lambda Router")
    future = timezone.now() + datetime.timedelta(days=3)
    episode = PostFactory(
        title="Cold starts, the episode",
        slug="cold-starts",
        body='See [the archive](/archive/) and ![a chart](/media/chart.png "Chart").\n',
        audio=SimpleUploadedFile("episode.mp3", silent_mp3(5), "audio/mpeg"),
        published_at=ago(days=4),
        categories=[category],
        series=series,
        series_part=1,
    )
    objects = {
        "episode": episode,
        "tricky": PostFactory(
            title=TRICKY_TITLE, slug="tricky", published_at=ago(days=3), categories=[other]
        ),
        "release": ReleaseFactory(project=project, version="0.10.0", published_at=ago(days=2)),
        "issue": IssueFactory(number=7, subtitle="On retries", published_at=ago(days=1)),
        "hidden": [
            PostFactory(title="Draft post", status=Status.DRAFT, categories=[category],
                        series=series),
            PostFactory(title="Scheduled post", published_at=future, categories=[category]),
            ReleaseFactory(project=project, version="9.0.0", title="Draft release",
                           status=Status.DRAFT),
            IssueFactory(number=90, title="Scheduled issue", published_at=future),
        ],
    }  # fmt: skip
    return objects


FEEDS = {
    "home:feed": [],
    "home:feed_atom": [],
    "home:posts_feed": [],
    "home:posts_feed_atom": [],
    "home:podcast_feed": [],
    "home:category_feed": ["serverless"],
    "home:category_feed_atom": ["serverless"],
    "home:series_feed": ["in-production"],
    "home:series_feed_atom": ["in-production"],
    "home:project_feed": ["lambda-router"],
    "home:project_feed_atom": ["lambda-router"],
    "home:newsletter_feed": [],
    "home:newsletter_feed_atom": [],
}


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    return response, parsed
