"""What a newsletter digest lists from the content apps (newsletter.digest): the posts and
the releases published in the window, each once."""

from blog.models import Post
from core.links import absolute_url
from newsletter import digest
from projects.models import Release


def posts(since, until) -> list[digest.DigestEntry]:
    found = (
        Post.objects.published(now=until).filter(published_at__gte=since).order_by("published_at")
    )
    return [
        digest.DigestEntry(
            f"post:{post.pk}",
            "posts",
            post.title,
            absolute_url(post.get_absolute_url()),
            post.description,
            post.published_at,
        )
        for post in found.defer("body", "body_html")
    ]


def releases(since, until) -> list[digest.DigestEntry]:
    found = (
        Release.objects.published(now=until)
        .filter(published_at__gte=since)
        .select_related("project")
        .order_by("published_at")
    )
    return [
        digest.DigestEntry(
            f"release:{release.pk}",
            "releases",
            release.title,
            absolute_url(release.get_absolute_url()),
            release.summary,
            release.published_at,
        )
        for release in found.defer("notes", "notes_html")
    ]


def register():
    digest.register_source("posts", posts)
    digest.register_source("releases", releases)
