import io
import wave
from datetime import timedelta

import mutagen
import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from blog.audio import read_audio
from blog.models import Category, Post
from core.models import SiteSettings, Status
from demo import AUDIO_DIR, content
from newsletter.models import Issue, Subscriber
from projects.models import Project, Release

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def seed(*args, **options) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def real_post(**fields) -> Post:
    defaults = {
        "title": "My first real post",
        "slug": "my-first-real-post",
        "body": "Written by the owner.\n",
        "status": Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(days=1),
    }
    return Post.objects.create(**(defaults | fields))


def test_seed_creates_the_demo_site():
    seed()

    posts = Post.objects.all()
    assert posts.count() == len(content.POSTS) >= 12
    assert posts.filter(status=Status.DRAFT).count() == 1
    assert posts.scheduled().count() == 1
    assert posts.published().count() == len(content.POSTS) - 2
    assert posts.filter(featured=True).count() == 1
    assert all(1 <= post.categories.count() <= 2 for post in posts)
    assert all(post.body_html and post.teaser and post.word_count > 100 for post in posts)
    assert posts.exclude(excerpt="").exists()
    assert posts.filter(excerpt="").exists()

    with_audio = posts.exclude(audio="")
    assert with_audio.count() == 3
    assert {post.audio_mime_type for post in with_audio} == {"audio/mpeg", "audio/ogg"}
    assert all(post.audio_duration > 0 and post.audio_size > 0 for post in with_audio)

    assert Category.objects.count() == 3
    assert Project.objects.count() == 2
    for project in Project.objects.all():
        assert 3 <= project.releases.count() <= 4
        assert project.description_html
    assert all(r.notes_html and r.title.endswith("released") for r in Release.objects.all())

    issues = Issue.objects.order_by("number")
    assert [issue.number for issue in issues] == [1, 2, 3]
    assert [issue.title for issue in issues] == [f"Warm Start: Issue #{n}" for n in (1, 2, 3)]
    assert all(issue.subtitle and 'href="' in issue.body_html for issue in issues)
    assert Subscriber.objects.active().count() == content.DEMO_SUBSCRIBER_COUNT

    site = SiteSettings.get_solo()
    assert site.author_name == content.AUTHOR_NAME
    assert site.newsletter_name == "Warm Start"
    assert site.bio_html.count("<p>") == 2
    assert len(site.social_links) == 6
    assert site.avatar.width == site.avatar.height == 256


def test_seeding_again_replaces_instead_of_duplicating(media_root):
    seed()
    first_ids = set(Post.objects.values_list("pk", flat=True))

    seed()

    assert Post.objects.count() == len(content.POSTS)
    assert not first_ids & set(Post.objects.values_list("pk", flat=True))
    assert Release.objects.count() == sum(len(p.releases) for p in content.PROJECTS)
    assert Issue.objects.count() == 3
    assert Category.objects.count() == 3
    assert Project.objects.count() == 2
    assert Subscriber.objects.count() == content.DEMO_SUBSCRIBER_COUNT


def test_if_empty_seeds_an_empty_database_then_does_nothing():
    seed("--if-empty")
    assert Post.objects.count() == len(content.POSTS)
    ids = set(Post.objects.values_list("pk", flat=True))

    out = seed("--if-empty", posts=5)

    assert "Demo content already present; nothing to do." in out
    assert set(Post.objects.values_list("pk", flat=True)) == ids


def test_if_empty_leaves_a_real_blog_alone():
    real_post()

    out = seed("--if-empty")

    assert "nothing to do" in out
    assert Post.objects.count() == 1


def test_refuses_to_touch_real_content_without_force():
    real_post()

    with pytest.raises(CommandError, match="--force"):
        seed()

    assert Post.objects.count() == 1


def test_force_adds_demo_content_and_keeps_the_owners():
    SiteSettings.objects.create(pk=1, author_name="Ada Example", newsletter_name="Ada's notes")
    post = real_post()
    Issue.objects.create(number=1, body="The owner's first issue.", status=Status.PUBLISHED)

    out = seed("--force")
    seed("--force")

    assert Post.objects.filter(pk=post.pk).exists()
    assert Post.objects.count() == len(content.POSTS) + 1
    # The owner's issue keeps number 1; the demo issues follow it.
    numbers = Issue.objects.filter(kind=Issue.Kind.NEWSLETTER).values_list("number", flat=True)
    assert sorted(numbers) == [1, 2, 3, 4]
    assert Issue.objects.get(number=1).body == "The owner's first issue."
    site = SiteSettings.get_solo()
    assert site.author_name == "Ada Example"
    assert not site.avatar
    assert "left unchanged" in out


def test_synthetic_records():
    out = seed(posts=50, releases=20, issues=10, subscribers=30)

    synthetic = Post.objects.filter(slug__startswith="demo-post-")
    assert synthetic.count() == 50
    assert synthetic.published().count() == 50
    assert not synthetic.filter(body_html="").exists()
    assert not synthetic.filter(teaser="").exists()
    assert not synthetic.filter(categories=None).exists()
    assert not synthetic.filter(word_count=0).exists()
    assert Release.objects.count() == 7 + 20
    assert not Release.objects.filter(notes_html="").exists()
    assert Release.objects.filter(version="1.10.0").count() == 2  # ten per demo project
    assert Issue.objects.count() == 3 + 10
    assert Issue.objects.filter(number=13, title="Warm Start: Issue #13").exists()
    assert Subscriber.objects.filter(email__startswith="subscriber-").count() == 30
    assert "50 posts, 20 releases, 10 issues, 30 subscribers" in out

    # A second run continues the numbering instead of colliding, and still counts as demo.
    seed(posts=5, releases=2, issues=1, subscribers=1)
    assert Post.objects.filter(slug="demo-post-00055").exists()
    assert Issue.objects.filter(number=14).exists()
    assert Subscriber.objects.filter(email="subscriber-00031@example.com").exists()


@pytest.mark.parametrize("name", sorted(p.name for p in AUDIO_DIR.iterdir()))
def test_demo_audio_assets_are_real_audio(name):
    path = AUDIO_DIR / name
    assert path.stat().st_size < 100_000
    assert mutagen.File(path).info.length > 0
    with path.open("rb") as audio:
        assert read_audio(File(audio, name=name)).duration_seconds > 0


def test_audio_that_is_not_audio_is_refused():
    wav = io.BytesIO()
    with wave.open(wav, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(b"\x00\x01" * 8000)

    for fake in (ContentFile(wav.getvalue()), ContentFile(b"not audio at all\n" * 100)):
        fake.name = "episode.mp3"
        with pytest.raises(ValidationError):
            read_audio(fake)


def test_demo_shows_off_series_update_notes_podcast_and_search(client):
    from blog.models import PostUpdate, Series
    from search.models import SearchEntry

    seed(posts=30, releases=4, issues=2)

    series = Series.objects.get()
    parts = list(series.ordered_posts().published())
    assert len(parts) >= 3
    assert [p.series_part for p in parts] == sorted(p.series_part for p in parts)
    assert PostUpdate.objects.filter(post__status=Status.PUBLISHED).exists()
    site = SiteSettings.get_solo()
    assert site.podcast_artwork.width == site.podcast_artwork.height == 1400

    # Everything seeded, hand-written or bulk-inserted, is in the search index.
    assert SearchEntry.objects.filter(kind="post").count() == Post.objects.count()
    assert SearchEntry.objects.filter(kind="release").count() == Release.objects.count()
    assert SearchEntry.objects.filter(kind="issue").count() == Issue.objects.count()
    synthetic = Post.objects.filter(slug__startswith="demo-post-").first()
    entry = SearchEntry.objects.get(kind="post", object_id=synthetic.pk)
    assert entry.body
    assert entry.url == synthetic.get_absolute_url()
    assert entry.category_ids.strip(",").split(",") == [
        str(pk) for pk in synthetic.categories.order_by("pk").values_list("pk", flat=True)
    ]

    html = client.get(parts[1].get_absolute_url(), HTTP_HOST="127.0.0.1").content.decode()
    assert f"Part 2 of {len(parts)}" in html
    response = client.get("/search/", {"q": "connection"}, HTTP_HOST="127.0.0.1")
    assert response.context["results"]
    feed = client.get("/feed/podcast/", HTTP_HOST="127.0.0.1").content.decode()
    assert "<itunes:image href=" in feed
