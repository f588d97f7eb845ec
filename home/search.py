"""Site-wide search over posts, releases and newsletter issues.

Everything searchable is copied into one table, `home.SearchEntry` (see its docstring), by
the signal handlers in home.signals, by `seed_demo` and by `manage.py rebuild_search_index`.

On PostgreSQL: full-text search on a stored, weighted vector (title A, summary B, body C)
with a GIN index, `websearch_to_tsquery` syntax ("quoted phrase", -word, or), ranked by
`ts_rank` and with `ts_headline` snippets. On SQLite: the same syntax read by a small
parser into `icontains` filters, title matches first, snippets cut in Python.

When nothing is found on PostgreSQL, `suggest` offers a "Did you mean …": the query with
misspelt words replaced by the closest words of the published titles and summaries, or
the closest titles (pg_trgm trigram similarity; the extension comes with migration 0002).
"""

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.utils.safestring import SafeString, mark_safe

from core.markdown import html_to_text
from home.models import SearchEntry

MAX_QUERY_LENGTH = 200
SNIPPET_CHARS = 240
BATCH_SIZE = 500
# PostgreSQL's built-in text search configurations, by language code.
CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nb": "norwegian", "nl": "dutch",
    "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish",
    "tr": "turkish",
}  # fmt: skip
# ts_headline marks matches with these; they are stripped from indexed text, so after
# escaping the snippet they can safely become <mark> tags.
MARK_START, MARK_END = "\ue000", "\ue001"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000\ue001]")
_SPACES = re.compile(r"\s+")
Kind = SearchEntry.Kind


def search_config() -> str:
    return CONFIGS.get(settings.LANGUAGE_CODE.split("-")[0].lower(), "simple")


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- Indexing -------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _CONTROL.sub(" ", text or "")).strip()


def category_ids_value(ids) -> str:
    """[3, 7] → ",3,7,", so that `category_ids__contains=",3,"` finds category 3."""
    ids = sorted(ids)
    return "".join(f",{pk}" for pk in ids) + ("," if ids else "")


def entry_for_post(post) -> SearchEntry:
    summary = post.teaser
    if post.meta_description and post.meta_description != post.teaser:
        summary = f"{summary} {post.meta_description}"
    categories = post.categories.all()
    return SearchEntry(
        kind=Kind.POST,
        object_id=post.pk,
        title=_clean(post.title)[:300],
        summary=_clean(summary),
        body=_clean(html_to_text(post.body_html)),
        url=post.get_absolute_url(),
        category_ids=category_ids_value(c.pk for c in categories),
        status=post.status,
        published_at=post.published_at,
    )


def entry_for_release(release) -> SearchEntry:
    return SearchEntry(
        kind=Kind.RELEASE,
        object_id=release.pk,
        title=_clean(release.title)[:300],
        summary=_clean(f"{release.project.name} {release.version}. {release.summary}"),
        body=_clean(html_to_text(release.notes_html)),
        url=release.get_absolute_url(),
        status=release.status,
        published_at=release.published_at,
    )


def entry_for_issue(issue) -> SearchEntry:
    return SearchEntry(
        kind=Kind.ISSUE,
        object_id=issue.pk,
        title=_clean(issue.title)[:300],
        summary=_clean(issue.subtitle),
        body=_clean(html_to_text(issue.body_html)),
        url=issue.get_absolute_url(),
        status=issue.status,
        published_at=issue.published_at,
    )


def document_vector() -> SearchVector:
    config = search_config()
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )


def save_entries(entries: list[SearchEntry]):
    """Insert or update entries (by kind and object id), then compute their vectors."""
    fields = ["title", "summary", "body", "url", "category_ids", "status", "published_at"]
    for start in range(0, len(entries), BATCH_SIZE):
        batch = entries[start : start + BATCH_SIZE]
        SearchEntry.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=fields,
        )
        if uses_postgres():
            keys = Q(pk__in=[])
            for kind in {entry.kind for entry in batch}:
                ids = [entry.object_id for entry in batch if entry.kind == kind]
                keys |= Q(kind=kind, object_id__in=ids)
            SearchEntry.objects.filter(keys).update(search_vector=document_vector())


def remove_entry(kind: str, object_id: int):
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def rebuild_index() -> dict[str, int]:
    """Index every post, release and issue from scratch. Returns counts by kind."""
    from blog.models import Post
    from newsletter.models import Issue
    from projects.models import Release

    sources = {
        Kind.POST: (Post.objects.prefetch_related("categories"), entry_for_post),
        Kind.RELEASE: (Release.objects.select_related("project"), entry_for_release),
        Kind.ISSUE: (Issue.objects.all(), entry_for_issue),
    }
    SearchEntry.objects.all().delete()
    counts = {}
    for kind, (queryset, make) in sources.items():
        entries = [make(obj) for obj in queryset.order_by("pk").iterator(chunk_size=1000)]
        save_entries(entries)
        counts[kind] = len(entries)
    return counts


# --- Searching ------------------------------------------------------------------------------


def clean_query(text: str) -> str:
    """What is left of a query worth searching for: no control characters, single spaces,
    at most MAX_QUERY_LENGTH characters."""
    return _clean(text)[:MAX_QUERY_LENGTH].strip()


@dataclass
class ParsedQuery:
    """websearch syntax for the SQLite fallback: groups of alternatives (a or b) that must
    all match, and words or phrases that must not."""

    groups: list[list[str]]
    excluded: list[str]

    @property
    def terms(self) -> list[str]:
        return [term for group in self.groups for term in group]


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_EDGE_PUNCTUATION = ".,;:!?()[]{}'`"


def parse_query(text: str) -> ParsedQuery:
    groups, excluded, join_next = [], [], False
    for neg_phrase, phrase, neg_word, word in _TOKEN.findall(text):
        negated = bool(neg_phrase or neg_word)
        term = phrase.strip() if phrase else word.strip(_EDGE_PUNCTUATION)
        if not phrase and word.lower() == "or" and not negated:
            join_next = bool(groups)
            continue
        if not term:
            continue
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return ParsedQuery(groups=groups, excluded=excluded)


def _contains(term: str) -> Q:
    return Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text` escaped, with every occurrence of `terms` (any case) in <mark>."""
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return mark_safe(html.escape(text))
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))


def _excerpt_around(text: str, terms: list[str]) -> str:
    """About SNIPPET_CHARS characters of `text` around the first match, cut at words."""
    lowered = text.lower()
    hits = [lowered.find(term.lower()) for term in terms]
    hits = [hit for hit in hits if hit >= 0]
    start = max(0, min(hits) - SNIPPET_CHARS // 3) if hits else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + SNIPPET_CHARS
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    excerpt = text[start:end].strip()
    return ("… " if start else "") + excerpt + (" …" if end < len(text) else "")


@dataclass
class SearchResult:
    entry: SearchEntry
    title_html: SafeString
    snippet_html: SafeString

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def kind_label(self) -> str:
        return Kind(self.entry.kind).label

    @property
    def url(self) -> str:
        return self.entry.url

    @property
    def published_at(self):
        return self.entry.published_at


def _marked(text: str) -> SafeString:
    escaped = html.escape(text or "")
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


class SiteSearch:
    """One search: `queryset()` to paginate, `results(page_entries)` to show them."""

    def __init__(self, text: str, *, kind: str = "", category_id: int | None = None):
        self.text = clean_query(text)
        self.kind = kind if kind in Kind.values else ""
        self.category_id = category_id
        self.parsed = parse_query(self.text)

    def __bool__(self):
        return bool(self.text)

    def suggestion(self) -> "Suggestion":
        """What to offer when nothing was found ("Did you mean …"); see `suggest`."""
        if not hasattr(self, "_suggestion"):
            self._suggestion = suggest(self)
        return self._suggestion

    def _filtered(self):
        entries = SearchEntry.objects.published()
        if self.kind:
            entries = entries.filter(kind=self.kind)
        if self.category_id:
            entries = entries.filter(kind=Kind.POST, category_ids__contains=f",{self.category_id},")
        return entries

    def _tsquery(self) -> SearchQuery:
        return SearchQuery(self.text, search_type="websearch", config=search_config())

    def queryset(self):
        if not self:
            return SearchEntry.objects.none()
        entries = self._filtered().defer("body", "search_vector")
        if uses_postgres():
            query = self._tsquery()
            options = {"config": search_config(), "start_sel": MARK_START, "stop_sel": MARK_END}
            return (
                entries.filter(search_vector=query)
                .annotate(
                    rank=SearchRank(F("search_vector"), query),
                    title_headline=SearchHeadline("title", query, highlight_all=True, **options),
                    snippet=SearchHeadline(
                        "body",
                        query,
                        max_words=40,
                        min_words=20,
                        max_fragments=2,
                        fragment_delimiter=" … ",
                        **options,
                    ),
                )
                .order_by("-rank", "-published_at", "-pk")
            )
        if not self.parsed.groups and not self.parsed.excluded:
            return SearchEntry.objects.none()
        condition = Q()
        for group in self.parsed.groups:
            alternatives = Q()
            for term in group:
                alternatives |= _contains(term)
            condition &= alternatives
        for term in self.parsed.excluded:
            condition &= ~_contains(term)
        first = self.parsed.terms[0] if self.parsed.terms else ""
        title_hit = (
            Case(When(title__icontains=first, then=Value(1)), default=Value(0))
            if first
            else Value(0)
        )
        return (
            self._filtered()
            .filter(condition)
            .annotate(title_hit=title_hit)
            .order_by("-title_hit", "-published_at", "-pk")
        )

    def results(self, entries) -> list[SearchResult]:
        results = []
        for entry in entries:
            if hasattr(entry, "snippet"):  # PostgreSQL: ts_headline did the work
                snippet = entry.snippet if MARK_START in entry.snippet else ""
                results.append(
                    SearchResult(
                        entry,
                        _marked(entry.title_headline),
                        _marked(snippet) if snippet else highlight(entry.summary, []),
                    )
                )
                continue
            terms = self.parsed.terms
            text = entry.body if any(t.lower() in entry.body.lower() for t in terms) else ""
            snippet = _excerpt_around(text, terms) if text else entry.summary
            results.append(
                SearchResult(entry, highlight(entry.title, terms), highlight(snippet, terms))
            )
        return results


# --- "Did you mean …" (PostgreSQL) -----------------------------------------------------------

SUGGEST_MAX_WORDS = 6
SUGGEST_TITLES = 3
# pg_trgm's default `%` threshold (pg_trgm.similarity_threshold) is 0.3 too.
TITLE_SIMILARITY = 0.3
# The words readers may have meant: those of the published titles and summaries, unstemmed
# ('simple' configuration), from ts_stat over the index table. No input reaches this text.
_VOCABULARY = (
    "SELECT to_tsvector('simple', title || ' ' || summary) FROM home_searchentry "
    "WHERE status = 'published' AND published_at <= now()"
)
_CLOSEST_WORDS = """
    WITH vocabulary AS MATERIALIZED (SELECT word, nentry FROM ts_stat(%s))
    SELECT term.word, (
        SELECT v.word FROM vocabulary v WHERE v.word %% term.word
        ORDER BY similarity(v.word, term.word) DESC, v.nentry DESC, v.word LIMIT 1
    )
    FROM unnest(%s::text[]) WITH ORDINALITY AS term(word, position)
    ORDER BY term.position
"""
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class Suggestion:
    """What a search that found nothing offers instead: a corrected query to run, or the
    titles closest to what was typed (each a link to its item)."""

    query: str = ""
    titles: tuple[tuple[str, str], ...] = ()  # (title, url)

    def __bool__(self):
        return bool(self.query or self.titles)


def _closest_words(words: list[str]) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(_CLOSEST_WORDS, [_VOCABULARY, words])
        return {word: match for word, match in cursor.fetchall() if match}


def _corrected_query(text: str) -> str:
    """`text` with each word that is not in the vocabulary replaced by the closest one that
    is; "" when nothing changes."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))[:SUGGEST_MAX_WORDS]
    if not words:
        return ""
    closest = _closest_words(words)
    replacements = {word: closest[word] for word in words if closest.get(word, word) != word}
    if not replacements:
        return ""
    return _WORD.sub(lambda m: replacements.get(m.group(0).lower(), m.group(0)), text)


def suggest(search: "SiteSearch") -> Suggestion:
    """For a search that found nothing, on PostgreSQL (pg_trgm): the query with its
    misspelt words corrected, when that finds something, else the closest titles.
    SQLite keeps its plain "Nothing found"."""
    if not uses_postgres() or not search:
        return Suggestion()
    corrected = _corrected_query(search.text)
    if corrected:
        retry = SiteSearch(corrected, kind=search.kind, category_id=search.category_id)
        if retry.queryset().exists():
            return Suggestion(query=corrected)
    titles = (
        search._filtered()
        .annotate(similarity=TrigramWordSimilarity(search.text, "title"))
        .filter(similarity__gte=TITLE_SIMILARITY)
        .order_by("-similarity", "-published_at")
        .values_list("title", "url")[:SUGGEST_TITLES]
    )
    return Suggestion(titles=tuple(titles))
