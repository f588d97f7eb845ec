import pytest

from core.models import SiteSettings


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def site(db):
    return SiteSettings.objects.create(
        pk=1,
        author_name="Ada Example",
        tagline="Serverless & startups",
        bio="I write about **serverless**.",
        github_url="https://github.com/ada-example",
        newsletter_name="Warm Start",
        newsletter_pitch="Practical serverless tips every Monday",
        subscriber_count_threshold=3,
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
