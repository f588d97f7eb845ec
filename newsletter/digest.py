"""The next newsletter issue, drafted from what was published since the last sent one
(`manage.py draft_issue`, the "Draft the next issue" button, or the schedule in
newsletter.digest_schedule).

The content apps' items reach here through `register_source` (the mailings app registers
posts and releases; this module adds the links the author saved): `newsletter` never
imports `blog` or `projects`. Each item carried by an issue is recorded as a DigestItem
with a unique key, so no later draft repeats it, even one made at the same moment; deleting
a draft frees its items for the next.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone

from core.models import DIGEST_TEMPLATE, SiteSettings, Status
from newsletter import topics
from newsletter.models import DigestItem, Issue, SavedLink

# Without a sent issue to start from, the first draft looks back this far.
FIRST_DRAFT_DAYS = 7
SECTIONS = ("posts", "releases", "links")


@dataclass(frozen=True)
class DigestEntry:
    key: str  # "post:12": unique across every issue's items
    section: str  # one of SECTIONS
    title: str
    url: str  # absolute
    summary: str
    date: datetime.datetime


# A source lists its entries published in [since, until).
Source = Callable[[datetime.datetime, datetime.datetime], list[DigestEntry]]
_sources: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    _sources[name] = source


class NothingNew(Exception):
    """There is nothing for a new issue: the message says since when."""


class TemplateError(Exception):
    """The author's template does not render: the message says where."""


def _saved_links(since, until) -> list[DigestEntry]:
    links = SavedLink.objects.filter(saved_at__gte=since, saved_at__lt=until).order_by("saved_at")
    return [
        DigestEntry(f"link:{link.pk}", "links", link.title, link.url, link.note, link.saved_at)
        for link in links
    ]


register_source("links", _saved_links)


def last_sent_issue() -> Issue | None:
    sent = Issue.objects.filter(kind=Issue.Kind.NEWSLETTER, sending_started_at__isnull=False)
    return sent.order_by("-sending_started_at").first()


def window_start(now: datetime.datetime) -> datetime.datetime:
    """Since when items count: when the last sent issue was made (what it gathered is
    recorded, so nothing is carried twice), or FIRST_DRAFT_DAYS back without one."""
    last = last_sent_issue()
    return last.created_at if last else now - datetime.timedelta(days=FIRST_DRAFT_DAYS)


def new_entries(now: datetime.datetime | None = None) -> list[DigestEntry]:
    """Every source's entries since `window_start`, without those an issue carried."""
    now = now or timezone.now()
    since = window_start(now)
    entries = [entry for source in _sources.values() for entry in source(since, now)]
    carried = set(
        DigestItem.objects.filter(key__in=[e.key for e in entries]).values_list("key", flat=True)
    )
    return sorted((e for e in entries if e.key not in carried), key=lambda e: e.date)


def render_body(template: str, entries: list[DigestEntry], number: int) -> str:
    site = SiteSettings.get_solo()
    context = {section: [e for e in entries if e.section == section] for section in SECTIONS}
    context.update(number=number, newsletter_name=site.newsletter_name, items=entries)
    try:  # Markdown out, sanitized when rendered: no HTML escaping here
        compiled = Engine(autoescape=False).from_string(template)
        return compiled.render(Context(context, autoescape=False)).strip() + "\n"
    except TemplateSyntaxError as error:
        raise TemplateError(f"The next issue template has an error: {error}") from None


def subtitle(entries: list[DigestEntry]) -> str:
    counts = [(len([e for e in entries if e.section == s]), s) for s in SECTIONS]
    words = {"posts": ("post", "posts"), "releases": ("release", "releases"),
             "links": ("link", "links")}  # fmt: skip
    parts = [f"{n} {words[s][n != 1]}" for n, s in counts if n]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def draft_next_issue(now: datetime.datetime | None = None, source_key: str | None = None):
    """Create the next issue as a draft and record what it carries. Raises NothingNew (no
    draft is made) when nothing was published since, TemplateError for a broken template.
    `source_key` names a scheduled draft, so one slot makes one draft."""
    now = now or timezone.now()
    entries = new_entries(now)
    if not entries:
        last = last_sent_issue()
        since = f"Issue #{last.number} was sent" if last else f"the last {FIRST_DRAFT_DAYS} days"
        raise NothingNew(f"Nothing new was published since {since}: no draft was created.")
    site = SiteSettings.get_solo()
    for _attempt in range(3):  # another draft may take a number or an item meanwhile
        number = Issue.next_number()
        body = render_body(site.digest_template or DIGEST_TEMPLATE, entries, number)
        try:
            with transaction.atomic():
                issue = Issue.objects.create(
                    kind=Issue.Kind.NEWSLETTER,
                    number=number,
                    subtitle=subtitle(entries),
                    body=body,
                    status=Status.DRAFT,
                    published_at=now,
                    topic=topics.newsletter_topic(),
                    source_key=source_key,
                )
                DigestItem.objects.bulk_create(DigestItem(issue=issue, key=e.key) for e in entries)
            return issue
        except IntegrityError:
            if source_key and Issue.objects.filter(source_key=source_key).exists():
                raise NothingNew("This scheduled draft was already made.") from None
            entries = new_entries(now)
            if not entries:
                raise NothingNew("Another draft took every new item meanwhile.") from None
    raise NothingNew("Other drafts kept being made at the same time: try again.")
