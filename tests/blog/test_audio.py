"""Audio versions: details read from the file, anything that is not audio refused."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from blog.audio import read_audio, validate_audio
from tests.audio_samples import MP3, OGG
from tests.factories import PostFactory


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.mark.parametrize(("path", "mime"), [(MP3, "audio/mpeg"), (OGG, "audio/ogg")])
def test_reads_type_duration_and_size(path, mime):
    info = read_audio(upload(path))
    assert info.mime_type == mime
    assert info.duration_seconds > 0
    assert info.size == path.stat().st_size


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "not an audio file"),
        ("fake.mp3", b"this is text pretending to be audio" * 20, "could not be read as audio"),
        ("empty.mp3", b"", "could not be read as audio"),
    ],
)
def test_non_audio_is_refused_with_a_clear_message(name, content, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_audio(SimpleUploadedFile(name, content))
    assert message in str(excinfo.value)


def test_oversized_audio_is_refused(settings):
    settings.MAX_AUDIO_UPLOAD_MB = 0
    with pytest.raises(ValidationError, match="the limit is"):
        validate_audio(upload(MP3))


@pytest.mark.django_db
def test_post_reads_audio_details_on_save_and_page_plays_it(client, site):
    post = PostFactory(audio=upload(MP3, "episode.mp3"))
    post.refresh_from_db()
    assert post.audio_mime_type == "audio/mpeg"
    assert post.audio_size == MP3.stat().st_size
    assert post.audio_duration > 0

    html = client.get(post.get_absolute_url()).content.decode()
    assert f'<audio controls preload="none" src="{post.audio.url}"></audio>' in html
    assert "Audio version" in html
    assert "Audio version" in client.get("/").content.decode()

    post.audio = ""
    post.save()
    assert (post.audio_size, post.audio_mime_type, post.audio_duration) == (0, "", 0)


def test_audio_whose_name_disagrees_with_its_format_is_refused():
    with pytest.raises(ValidationError, match=r"holds Ogg Vorbis audio but is named \.mp3"):
        validate_audio(upload(OGG, "episode.mp3"))
