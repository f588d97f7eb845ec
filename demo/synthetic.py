"""Bulk records for benchmarks: thousands of posts, releases, issues and subscribers in seconds.

bulk_create skips Model.save(), so the derived columns (rendered HTML, teaser, word count,
default titles) are filled in here. Rendering Markdown is by far the slowest step, so a small
pool of bodies is rendered once and shared by every row; the rows still differ in title, slug,
date and categories, which is what list pages and the timeline query care about.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Max
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from core.markdown import first_paragraph_text, html_to_text, render_markdown, word_count
from core.models import SiteSettings, Status
from demo import content
from demo.seed import (
    SUBSCRIBER_SOURCE,
    SYNTHETIC_POST_PREFIX,
    SYNTHETIC_POST_REGEX,
    SYNTHETIC_VERSION_REGEX,
    demo_categories,
    demo_projects,
)
from newsletter.models import Issue, Subscriber
from projects.models import Release
from search import index as search_index
from search.models import SearchEntry

BATCH_SIZE = 1000
POOL_SIZE = 20
# Synthetic rows are dated between a month and this many days ago: old enough never to
# crowd the hand-written demo content off the first page, always in the past.
SPREAD_DAYS = 5 * 365
SUBSCRIBER_EMAIL = "subscriber-{:05d}@example.com"


@dataclass(frozen=True)
class RenderedBody:
    markdown: str
    html: str
    teaser: str
    words: int
    text: str  # plain text, for the search index


def _batches(total: int):
    for start in range(0, total, BATCH_SIZE):
        yield range(start, min(total, start + BATCH_SIZE))


def _past_date(rng: random.Random, now):
    return now - timedelta(days=30 + rng.random() * SPREAD_DAYS)


def post_pool(rng: random.Random) -> list[RenderedBody]:
    """POOL_SIZE distinct Markdown bodies, rendered once."""
    pool = []
    for i in range(POOL_SIZE):
        paragraphs = rng.sample(content.SYNTHETIC_PARAGRAPHS, 5)
        parts = [*paragraphs[:2], f"## {rng.choice(content.SYNTHETIC_TOPICS).capitalize()}"]
        parts.append(paragraphs[2])
        if i % 2 == 0:
            parts.append(content.SYNTHETIC_CODE_BLOCKS[i // 2 % len(content.SYNTHETIC_CODE_BLOCKS)])
        if i % 3 == 0:
            items = rng.sample(content.SYNTHETIC_LIST_ITEMS, 3)
            parts.append("\n".join(f"- {item}" for item in items))
        parts.extend(paragraphs[3:])
        markdown = "\n\n".join(parts) + "\n"
        pool.append(
            RenderedBody(
                markdown=markdown,
                html=render_markdown(markdown),
                teaser=first_paragraph_text(markdown),
                words=word_count(markdown),
                text=html_to_text(render_markdown(markdown)),
            )
        )
    return pool


def _next_post_number() -> int:
    # Ordered by length first, so demo-post-100000 sorts after demo-post-99999.
    last = (
        Post.objects.filter(slug__regex=SYNTHETIC_POST_REGEX)
        .order_by(Length("slug").desc(), "-slug")
        .values_list("slug", flat=True)
        .first()
    )
    return int(last.removeprefix(SYNTHETIC_POST_PREFIX)) + 1 if last else 1


def create_posts(count: int, rng: random.Random, now=None) -> int:
    now = now or timezone.now()
    pool = post_pool(rng)
    categories = demo_categories()
    through = Post.categories.through
    first = _next_post_number()
    openers, topics = content.SYNTHETIC_TITLE_OPENERS, content.SYNTHETIC_TOPICS
    for batch in _batches(count):
        posts = []
        for i in batch:
            number = first + i
            body = pool[number % len(pool)]
            title = (
                f"{openers[number % len(openers)]} {topics[number // len(openers) % len(topics)]}"
            )
            posts.append(
                Post(
                    title=f"{title}, part {number}",
                    slug=f"{SYNTHETIC_POST_PREFIX}{number:05d}",
                    body=body.markdown,
                    body_html=body.html,
                    teaser=body.teaser,
                    word_count=body.words,
                    status=Status.PUBLISHED,
                    published_at=_past_date(rng, now),
                )
            )
        Post.objects.bulk_create(posts)
        if posts and posts[0].pk is None:
            # Backends that cannot return ids from a bulk insert: look them up by slug.
            ids = dict(
                Post.objects.filter(slug__in=[p.slug for p in posts]).values_list("slug", "pk")
            )
            for post in posts:
                post.pk = ids[post.slug]
        post_categories = {post.pk: [] for post in posts}
        if categories:
            links = [
                through(post_id=post.pk, category_id=category.pk)
                for post in posts
                for category in rng.sample(categories, min(len(categories), rng.choice((1, 1, 2))))
            ]
            through.objects.bulk_create(links, batch_size=BATCH_SIZE)
            for link in links:
                post_categories[link.post_id].append(link.category_id)
        # bulk_create sends no signals: index the batch here (search.index).
        texts = {body.html: body.text for body in pool}
        search_index.save_entries(
            [
                SearchEntry(
                    kind="post",
                    object_id=post.pk,
                    title=post.title,
                    summary=post.teaser,
                    body=texts[post.body_html],
                    url=reverse("blog:post", kwargs={"slug": post.slug}),
                    category_ids=search_index.category_ids_value(post_categories[post.pk]),
                    status=post.status,
                    published_at=post.published_at,
                )
                for post in posts
            ]
        )
    return count


def create_releases(count: int, rng: random.Random, now=None) -> int:
    now = now or timezone.now()
    projects = demo_projects()
    if not projects or not count:
        return 0
    # Continue each project's 1.N.0 series where an earlier run stopped.
    next_minor = {}
    for project in projects:
        versions = Release.objects.filter(
            project=project, version__regex=SYNTHETIC_VERSION_REGEX
        ).values_list("version", flat=True)
        next_minor[project.pk] = max((int(v.split(".")[1]) for v in versions), default=0) + 1
    notes = [(text, render_markdown(text)) for text in content.SYNTHETIC_RELEASE_NOTES]
    summaries = content.SYNTHETIC_RELEASE_SUMMARIES
    for batch in _batches(count):
        releases = []
        for i in batch:
            project = projects[i % len(projects)]
            version = f"1.{next_minor[project.pk]}.0"
            next_minor[project.pk] += 1
            markdown, html = notes[i % len(notes)]
            releases.append(
                Release(
                    project=project,
                    version=version,
                    title=f"{project.name} v{version} released",
                    summary=summaries[i % len(summaries)],
                    notes=markdown,
                    notes_html=html,
                    status=Status.PUBLISHED,
                    published_at=_past_date(rng, now),
                )
            )
        Release.objects.bulk_create(releases)
        if releases and releases[0].pk is None:
            releases = list(
                Release.objects.filter(
                    project__in=projects, version__in={r.version for r in releases}
                ).select_related("project")
            )
        search_index.index_objects(Release, releases)
    return count


def create_issues(count: int, rng: random.Random, now=None) -> int:
    now = now or timezone.now()
    newsletter_name = SiteSettings.get_solo().newsletter_name
    first = (Issue.objects.aggregate(last=Max("number"))["last"] or 0) + 1
    bodies = [(text, render_markdown(text)) for text in content.SYNTHETIC_ISSUE_BODIES]
    for batch in _batches(count):
        issues = []
        for i in batch:
            number = first + i
            markdown, html = bodies[number % len(bodies)]
            issues.append(
                Issue(
                    number=number,
                    title=f"{newsletter_name}: Issue #{number}",
                    subtitle=f"{content.SYNTHETIC_ISSUE_SUBTITLE} #{number}",
                    body=markdown,
                    body_html=html,
                    status=Status.PUBLISHED,
                    published_at=_past_date(rng, now),
                )
            )
        Issue.objects.bulk_create(issues)
        if issues and issues[0].pk is None:
            issues = list(Issue.objects.filter(number__in=[i.number for i in issues]))
        search_index.index_objects(Issue, issues)
    return count


def _next_subscriber_number() -> int:
    last = (
        Subscriber.objects.filter(email__regex=r"^subscriber-[0-9]+@example\.com$")
        .order_by(Length("email").desc(), "-email")
        .values_list("email", flat=True)
        .first()
    )
    return int(last.removeprefix("subscriber-").split("@")[0]) + 1 if last else 1


def create_subscribers(count: int) -> int:
    first = _next_subscriber_number()
    for batch in _batches(count):
        Subscriber.objects.create_many(
            Subscriber(
                email=SUBSCRIBER_EMAIL.format(first + i),
                status=Subscriber.Status.ACTIVE,
                source=SUBSCRIBER_SOURCE,
            )
            for i in batch
        )
    return count
