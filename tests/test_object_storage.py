"""Media on S3-compatible object storage, against moto's S3 server on loopback."""

import urllib.request

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.audio_samples import MP3
from tests.factories import PostFactory
from tests.network import free_port

BUCKET = "blog-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    ).create_bucket(Bucket=BUCKET)  # fmt: skip
    yield endpoint
    server.stop()


@pytest.fixture
def s3_media(settings, s3_endpoint):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "location": "media",
                "querystring_auth": False,
                "default_acl": "public-read",
                "file_overwrite": False,
            },
        },
    }
    return s3_endpoint


@pytest.mark.django_db
def test_audio_version_goes_to_the_bucket_and_plays_from_there(client, site, s3_media):
    post = PostFactory(audio=SimpleUploadedFile("episode.mp3", MP3.read_bytes()))
    post.refresh_from_db()

    assert post.audio.url.startswith(f"{s3_media}/{BUCKET}/media/audio/")
    assert post.audio_mime_type == "audio/mpeg"  # read back from the stored object
    assert post.audio_size == MP3.stat().st_size
    with urllib.request.urlopen(post.audio.url) as response:
        assert response.read() == MP3.read_bytes()

    html = client.get(post.get_absolute_url()).content.decode()
    assert f'src="{post.audio.url}"' in html


def test_production_settings_point_media_and_csp_at_the_bucket():
    import os
    import subprocess
    import sys

    from tests.environments import PRODUCTION, ROOT

    script = (
        "from django.conf import settings as s; "
        "print(s.STORAGES['default']['BACKEND'], s.SERVE_MEDIA, s.SECURE_CSP['media-src'])"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env = {**base, **PRODUCTION, "S3_BUCKET": "b", "S3_ENDPOINT_URL": "https://s3.example.net/x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("storages.backends.s3.S3Storage False")
    assert "https://s3.example.net" in line
