"""Searching the index: a query in websearch syntax ("quoted phrase", -word, or), with
optional kind and category filters.

On PostgreSQL: full-text search on the stored vector with a GIN index, ranked by `ts_rank`
and with `ts_headline` snippets. On SQLite: the same syntax read by a small parser into
`icontains` filters, title matches first, snippets cut in Python. When nothing is found,
`SiteSearch.suggestion()` offers a "Did you mean …" (search.suggestions, PostgreSQL only).
"""

import html
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Case, F, Q, Value, When
from django.utils.safestring import SafeString, mark_safe

from core import searchindex
from search.index import MARK_END, MARK_START, clean, search_config, uses_postgres
from search.models import SearchEntry
from search.suggestions import Suggestion, suggest

MAX_QUERY_LENGTH = 200
SNIPPET_CHARS = 240


def clean_query(text: str) -> str:
    """What is left of a query worth searching for: no control characters, single spaces,
    at most MAX_QUERY_LENGTH characters."""
    return clean(text)[:MAX_QUERY_LENGTH].strip()


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
        searchable = searchindex.for_kind(self.entry.kind)
        return searchable.label if searchable else self.entry.kind.capitalize()

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
        self.kind = kind if searchindex.for_kind(kind) else ""
        self.category_id = category_id
        self.parsed = parse_query(self.text)

    def __bool__(self):
        return bool(self.text)

    def suggestion(self) -> Suggestion:
        """What to offer when nothing was found ("Did you mean …"); see `suggest`."""
        if not hasattr(self, "_suggestion"):
            self._suggestion = suggest(self)
        return self._suggestion

    def with_text(self, text: str) -> "SiteSearch":
        """The same search (kind, category) for other words."""
        return SiteSearch(text, kind=self.kind, category_id=self.category_id)

    def _filtered(self):
        entries = SearchEntry.objects.published()
        if self.kind:
            entries = entries.filter(kind=self.kind)
        if self.category_id:
            # Only what has categories (posts) matches.
            entries = entries.filter(category_ids__contains=f",{self.category_id},")
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
