"""Create (or replace) the hand-written demo site described in content.py.

Demo records are recognised without any marker field, by what content.py says about them:
posts by slug, projects by slug, releases by project and version, issues by subtitle. The
synthetic benchmark records of synthetic.py follow patterns of their own (slugs
`demo-post-NNNNN`, versions `1.N.0` on demo projects, a fixed issue subtitle prefix), and count
as demo records too. Everything else is the owner's content, which this module never deletes.
"""

import io
import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from blog.models import Category, Post, PostUpdate, Series
from core import bulk
from core.models import SiteSettings, Status
from demo import AUDIO_DIR, content
from newsletter.models import Issue, Subscriber
from projects.models import Project, Release

SYNTHETIC_POST_PREFIX = "demo-post-"
SYNTHETIC_POST_REGEX = r"^demo-post-[0-9]+$"
SYNTHETIC_VERSION_REGEX = r"^1\.[0-9]+\.0$"
SUBSCRIBER_SOURCE = "demo"
AVATAR_NAME = "demo-avatar.png"
PODCAST_ARTWORK_NAME = "demo-podcast.png"

POST_SLUGS = [post.slug for post in content.POSTS]
PROJECT_SLUGS = [project.slug for project in content.PROJECTS]
ISSUE_SUBTITLES = [issue.subtitle for issue in content.ISSUES]
CATEGORY_SLUGS = [category["slug"] for category in content.CATEGORIES]


def handwritten_posts_q() -> Q:
    return Q(slug__in=POST_SLUGS)


def demo_posts_q() -> Q:
    return handwritten_posts_q() | Q(slug__regex=SYNTHETIC_POST_REGEX)


def handwritten_releases_q() -> Q:
    q = Q(pk__in=[])
    for project in content.PROJECTS:
        versions = [release.version for release in project.releases]
        q |= Q(project__slug=project.slug, version__in=versions)
    return q


def demo_releases_q() -> Q:
    synthetic = Q(project__slug__in=PROJECT_SLUGS, version__regex=SYNTHETIC_VERSION_REGEX)
    return handwritten_releases_q() | synthetic


def handwritten_issues_q() -> Q:
    return Q(subtitle__in=ISSUE_SUBTITLES)


def demo_issues_q() -> Q:
    return handwritten_issues_q() | Q(subtitle__startswith=content.SYNTHETIC_ISSUE_SUBTITLE)


def foreign_content() -> dict[str, int]:
    """How many posts, projects, releases and issues this command did not create."""
    counts = {
        "posts": Post.objects.exclude(demo_posts_q()).count(),
        "projects": Project.objects.exclude(slug__in=PROJECT_SLUGS).count(),
        "releases": Release.objects.exclude(demo_releases_q()).count(),
        "issues": Issue.objects.exclude(demo_issues_q()).count(),
    }
    return {kind: n for kind, n in counts.items() if n}


@dataclass
class DemoSummary:
    posts: int = 0
    drafts: int = 0
    scheduled: int = 0
    with_audio: int = 0
    categories: int = 0
    projects: int = 0
    releases: int = 0
    issues: int = 0
    subscribers: int = 0
    series: int = 0
    update_notes: int = 0
    site_settings: bool = False

    def __str__(self):
        settings = "site settings and avatar" if self.site_settings else "site settings left as is"
        return (
            f"{self.posts} posts ({self.drafts} draft, {self.scheduled} scheduled, "
            f"{self.with_audio} with audio, {self.update_notes} update notes, "
            f"{self.series} series), {self.categories} categories, "
            f"{self.projects} projects with {self.releases} releases, {self.issues} newsletter "
            f"issues, {self.subscribers} new subscribers; {settings}"
        )


@bulk.importing()
def seed_demo_site(now=None) -> DemoSummary:
    """Replace the hand-written demo records with fresh ones dated relative to `now`.

    Call inside a transaction: files of replaced records are deleted once it commits, so a
    rollback never leaves records pointing at missing files.
    """
    now = now or timezone.now()
    summary = DemoSummary()
    summary.site_settings = _seed_site_settings()
    categories = _seed_categories()
    summary.categories = len(categories)
    posts = _seed_posts(categories, now, summary)
    _seed_series_and_updates(posts, now, summary)
    _seed_projects(now, summary)
    _seed_issues(posts, now, summary)
    summary.subscribers = _seed_subscribers()
    return summary


def demo_categories() -> list[Category]:
    return list(Category.objects.filter(slug__in=CATEGORY_SLUGS))


def demo_projects() -> list[Project]:
    return list(Project.objects.filter(slug__in=PROJECT_SLUGS))


def _delete_files_on_commit(fields):
    """Remove stored files after the records pointing at them are gone for good."""
    names = [(field.storage, field.name) for field in fields if field]
    if names:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


def _seed_site_settings() -> bool:
    site = SiteSettings.get_solo()
    default_name = SiteSettings._meta.get_field("author_name").default
    # A real author's card is theirs: only a fresh record, or the demo's own, gets replaced.
    if site.author_name not in (default_name, content.AUTHOR_NAME):
        return False
    for field, value in content.SITE.items():
        setattr(site, field, value)
    if site.avatar and AVATAR_NAME.removesuffix(".png") in site.avatar.name:
        _delete_files_on_commit([site.avatar])
    site.avatar.save(AVATAR_NAME, ContentFile(avatar_png(site.initials)), save=False)
    # Podcast apps need square artwork of at least 1400 px: the avatar, drawn that large.
    if site.podcast_artwork and PODCAST_ARTWORK_NAME.removesuffix(".png") in (
        site.podcast_artwork.name
    ):
        _delete_files_on_commit([site.podcast_artwork])
    artwork = avatar_png(site.initials, size=1400)
    site.podcast_artwork.save(PODCAST_ARTWORK_NAME, ContentFile(artwork), save=False)
    site.full_clean()
    site.save()
    return True


def avatar_png(initials: str, size: int = 256) -> bytes:
    """A rounded square in the demo colours with the author's initials."""
    background, foreground = content.AVATAR_COLOURS
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=background)
    font = ImageFont.load_default(size=size * 2 // 5)
    draw.text((size / 2, size / 2), initials, fill=foreground, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _seed_categories() -> dict[str, Category]:
    categories = {}
    for spec in content.CATEGORIES:
        # Never deleted, only created: an owner's posts may be filed under them by now.
        category, _ = Category.objects.get_or_create(
            slug=spec["slug"], defaults={"name": spec["name"], "description": spec["description"]}
        )
        categories[category.slug] = category
    return categories


def _seed_posts(categories, now, summary) -> dict[str, Post]:
    old = list(Post.objects.filter(handwritten_posts_q()))
    _delete_files_on_commit([post.audio for post in old] + [post.cover_image for post in old])
    Post.objects.filter(pk__in=[post.pk for post in old]).delete()

    posts = {}
    for spec in content.POSTS:
        post = Post(
            title=spec.title,
            slug=spec.slug,
            body=spec.body,
            excerpt=spec.excerpt,
            meta_description=spec.meta_description,
            featured=spec.featured,
            status=Status.DRAFT if spec.draft else Status.PUBLISHED,
            published_at=now - timedelta(days=spec.days_ago),
        )
        if spec.audio:
            # Attached as a new upload, so Post.save reads its length, type and size.
            with (AUDIO_DIR / spec.audio).open("rb") as audio:
                post.audio = File(audio, name=spec.audio)
                post.full_clean()
                post.save()
            summary.with_audio += 1
        else:
            post.full_clean()
            post.save()
        post.categories.set([categories[slug] for slug in spec.categories])
        posts[post.slug] = post
        if post.is_scheduled:
            summary.scheduled += 1
        elif spec.draft:
            summary.drafts += 1
    summary.posts = len(posts)
    return posts


def _seed_series_and_updates(posts, now, summary):
    """The demo series (kept and refreshed, like categories) and the posts' update notes
    (recreated with their posts)."""
    for spec in content.SERIES:
        series, _ = Series.objects.get_or_create(slug=spec["slug"], defaults={"title": ""})
        series.title = spec["title"]
        series.description = spec["description"]
        series.save()
        for part, slug in enumerate(spec["posts"], 1):
            Post.objects.filter(pk=posts[slug].pk).update(series=series, series_part=part)
        summary.series += 1
    for slug, days_ago, note in content.POST_UPDATES:
        PostUpdate.objects.create(post=posts[slug], date=now - timedelta(days=days_ago), note=note)
        summary.update_notes += 1


def _seed_projects(now, summary):
    Release.objects.filter(handwritten_releases_q()).delete()
    for spec in content.PROJECTS:
        # Updated in place rather than recreated: synthetic releases hang off these projects.
        project, _ = Project.objects.get_or_create(slug=spec.slug, defaults={"name": spec.name})
        project.name = spec.name
        project.tagline = spec.tagline
        project.description = spec.description
        project.repository_url = spec.repository_url
        project.package_url = spec.package_url
        project.docs_url = spec.docs_url
        project.github_repo, project.import_mode = spec.github_repo, spec.import_mode
        project.display_order = spec.display_order
        project.active = True
        project.full_clean()
        project.save()
        summary.projects += 1
        for release_spec in spec.releases:
            release = Release(
                project=project,
                version=release_spec.version,
                summary=release_spec.summary,
                notes=release_spec.notes,
                status=Status.PUBLISHED,
                published_at=now - timedelta(days=release_spec.days_ago),
            )
            release.full_clean()
            release.save()
            summary.releases += 1


_POST_LINK = re.compile(r"\{post:([a-z0-9-]+)\}")


def _seed_issues(posts, now, summary):
    Issue.objects.filter(handwritten_issues_q()).delete()
    taken = set(Issue.objects.exclude(number=None).values_list("number", flat=True))
    numbers = range(1, len(content.ISSUES) + 1)
    if taken.intersection(numbers):
        # Issues 1-3 belong to someone else: number the demo issues after theirs.
        first = max(taken) + 1
        numbers = range(first, first + len(content.ISSUES))
    for number, spec in zip(numbers, content.ISSUES, strict=True):
        body = _POST_LINK.sub(lambda m: posts[m.group(1)].get_absolute_url(), spec.body)
        issue = Issue(
            number=number,
            subtitle=spec.subtitle,
            body=body,
            status=Status.PUBLISHED,
            published_at=now - timedelta(days=spec.days_ago),
        )
        issue.full_clean()
        issue.save()
        summary.issues += 1


def _seed_subscribers() -> int:
    emails = [content.demo_subscriber_email(n) for n in range(1, content.DEMO_SUBSCRIBER_COUNT + 1)]
    existing = set(
        Subscriber.objects.annotate(address=Lower("email"))
        .filter(address__in=emails)
        .values_list("address", flat=True)
    )
    new = [
        Subscriber(email=email, status=Subscriber.Status.ACTIVE, source=SUBSCRIBER_SOURCE)
        for email in emails
        if email not in existing
    ]
    Subscriber.objects.create_many(new)
    return len(new)
