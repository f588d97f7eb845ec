"""The front page's mixed timeline: posts, releases and newsletter issues, newest first.

One UNION query over the three tables picks the page's (kind, id) pairs in order, then one
query per kind fetches those rows. The number of queries is the same at ten items as at ten
thousand, and pagination asks for one row more than a page instead of counting everything.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

from blog.cards import post_cards
from blog.models import Post
from core.partial import partial_instance
from core.prepared import PreparedQuery, json_value
from newsletter.models import Issue
from projects.models import Project, Release

# Saves 16-20 % of the home page's uncached time (scripts/prepared_bench.py).
_RELEASES = PreparedQuery(
    lambda ids: (
        Release.objects.filter(pk__in=ids)
        .only("title", "version", "summary", "published_at", "project_id")
        .annotate(
            project_card=Subquery(
                Project.objects.filter(pk=OuterRef("project_id")).values(
                    card=JSONObject(id="id", name="name", slug="slug")
                )
            )
        )
    ),
    list,
)
# Saves 6 % of the home page's instructions (callgrind); kept with the card posts and the
# site settings row, which together hold the home page where it was before the apps split
# (without the three: 20 % more instructions a request).
_ISSUES = PreparedQuery(
    lambda ids: Issue.objects.filter(pk__in=ids).only(
        "number", "title", "subtitle", "published_at"
    ),
    list,
)


def _release_cards(ids):
    releases = _RELEASES.objects(Release, list(ids))
    for release in releases:
        card = json_value(release.project_card)
        release.project = partial_instance(Project, card)
    return releases


# Each kind's rows for the page, what its card needs only (templates: includes/cards.html).
KINDS = {
    "post": post_cards,
    "release": _release_cards,
    "issue": lambda ids: _ISSUES.objects(Issue, list(ids)),
}


@dataclass
class TimelinePage:
    """One page of the timeline, with the methods of Django's Page that templates use."""

    items: list  # (kind, object) pairs
    number: int
    more: bool

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _keys(model, kind, now):
    return (
        model.objects.published(now=now)
        .order_by()
        .annotate(timeline_kind=Value(kind, output_field=CharField()))
        .values_list("timeline_kind", "pk", "published_at")
    )


def _page_keys(now, *, shape):
    offset, per_page = shape
    parts = [_keys(Post, "post", now), _keys(Release, "release", now), _keys(Issue, "issue", now)]
    if connection.features.supports_slicing_ordering_in_compound:
        # Each part only needs its newest offset + per_page + 1 rows: the database reads them
        # from the (status, published_at) index instead of sorting every published row.
        parts = [part.order_by("-published_at", "-pk")[: offset + per_page + 1] for part in parts]
    union = parts[0].union(*parts[1:], all=True)
    return union.order_by("-published_at", "timeline_kind", "-pk")[offset : offset + per_page + 1]


# Compiling this UNION costs more than the database takes to answer it: once per page number.
PAGE_KEYS = PreparedQuery(_page_keys, datetime)


def timeline_page(number: int, per_page: int) -> TimelinePage:
    offset = (number - 1) * per_page
    rows = PAGE_KEYS.rows(timezone.now(), shape=(offset, per_page))
    keys = [(kind, pk) for kind, pk, _ in rows]
    has_next = len(keys) > per_page
    keys = keys[:per_page]
    objects = {}
    for kind, fetch in KINDS.items():
        ids = [pk for k, pk in keys if k == kind]
        if ids:
            objects.update({(kind, obj.pk): obj for obj in fetch(ids)})
    items = [(kind, objects[kind, pk]) for kind, pk in keys if (kind, pk) in objects]
    return TimelinePage(items=items, number=number, more=has_next)
