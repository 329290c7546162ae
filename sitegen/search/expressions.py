"""The index's query language, written from user text: words become quoted FTS5 phrases only.

User text reaches SQLite only as bound parameters, and reaches FTS5 only as quoted words
(schema.words keeps letters and digits; each word becomes `"word"*`), so no input is ever read as
query syntax and no input makes a query fail.
"""

from __future__ import annotations

import json
from typing import Any

from sitegen.search.query import Query
from sitegen.search.schema import COLUMNS, FOLDED, INFIX_MIN, STOPWORDS, fold, key, words


def query_words(text: str) -> list[str]:
    """The words a text is searched by: its letters and digits, little words left out if others remain."""
    typed = words(text)
    return [word for word in typed if word not in STOPWORDS] or typed


def word_expression(word: str) -> str:
    """One word, found from a word's start, as spelled or folded.

    A whole word as spelled is a phrase of its own too, so BM25 counts it once more: "Storgården"
    ranks the mottagning named Storgården above Storgårdens vårdcentral.
    """
    exact_columns, folded_columns = " ".join(COLUMNS), " ".join(FOLDED)
    return (
        f'({{{exact_columns}}} : "{word}" OR {{{exact_columns}}} : "{word}"*'
        f' OR {{{folded_columns}}} : "{fold(word)}"*)'
    )


def match_expression(text: str) -> str | None:
    """The FTS5 expression for a text: every word must match from a word's start (letters and digits only)."""
    return " AND ".join(word_expression(word) for word in query_words(text)) or None


def infix_phrase(word: str) -> str | None:
    """The trigram table's expression for a word found inside a name, or None for a short word."""
    folded = fold(word)
    return f'"{folded}"' if len(folded) >= INFIX_MIN else None


def filters(query: Query, expression: str | None, open_hours: frozenset[str]) -> tuple[str, list[Any]]:
    """The source and conditions of a query, every active filter applied; user values as parameters."""
    source = "clinics c JOIN fts ON fts.rowid = c.id" if expression is not None else "clinics c"
    clauses, params = [], []
    if expression is not None:
        clauses.append("fts MATCH ?")
        params.append(expression)
    if query.municipality is not None:
        clauses.append("c.municipality_key = ?")
        params.append(key(query.municipality))
    if query.eservice is not None:
        clauses.append("c.id IN (SELECT e.clinic_id FROM clinic_eservices e WHERE e.name_key = ?)")
        params.append(key(query.eservice))
    if query.open_only:
        clauses.append("c.hours IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(open_hours), ensure_ascii=False))
    return source + ((" WHERE " + " AND ".join(clauses)) if clauses else ""), params
