"""'Did you mean …' for a search that found nothing (PostgreSQL only): the query with
misspelt words replaced by the closest words of the published titles and summaries, or the
closest titles (pg_trgm trigram similarity; the extension comes with home's migration
0002). SQLite keeps its plain "Nothing found".
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection

from search.index import uses_postgres
from search.models import SearchEntry

SUGGEST_MAX_WORDS = 6
SUGGEST_TITLES = 3
# pg_trgm's default `%` threshold (pg_trgm.similarity_threshold) is 0.3 too.
TITLE_SIMILARITY = 0.3
# The words readers may have meant: those of the published titles and summaries, unstemmed
# ('simple' configuration), from ts_stat over the index table. No input reaches this text.
_VOCABULARY = (
    f"SELECT to_tsvector('simple', title || ' ' || summary) FROM {SearchEntry._meta.db_table} "
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


def suggest(search) -> Suggestion:
    """For a search (a search.query.SiteSearch) that found nothing, on PostgreSQL
    (pg_trgm): the query with its misspelt words corrected, when that finds something, else
    the closest titles. SQLite keeps its plain "Nothing found"."""
    if not uses_postgres() or not search:
        return Suggestion()
    corrected = _corrected_query(search.text)
    if corrected and search.with_text(corrected).queryset().exists():
        return Suggestion(query=corrected)
    titles = (
        search._filtered()
        .annotate(similarity=TrigramWordSimilarity(search.text, "title"))
        .filter(similarity__gte=TITLE_SIMILARITY)
        .order_by("-similarity", "-published_at")
        .values_list("title", "url")[:SUGGEST_TITLES]
    )
    return Suggestion(titles=tuple(titles))
