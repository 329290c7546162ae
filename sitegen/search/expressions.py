"""The index's query language, written from user text: words become quoted FTS5 phrases only.

User text reaches SQLite only as bound parameters, and reaches FTS5 only as quoted words
(schema.words keeps letters and digits; each word becomes `"word"*`), so no input is ever read as
query syntax and no input makes a query fail.
"""

from __future__ import annotations

from sitegen.search.schema import COLUMNS, FOLDED, INFIX_MIN, STOPWORDS, fold, words


def query_words(text: str) -> list[str]:
    """The words a text is searched by: its letters and digits, little words left out if others remain."""
    typed = words(text)
    return [word for word in typed if word not in STOPWORDS] or typed


def word_phrases(word: str) -> list[str]:
    """One word's FTS5 phrases: found from a word's start, as spelled or folded.

    A whole word as spelled is a phrase of its own too, so BM25 counts it once more: "Storgården"
    ranks the mottagning named Storgården above Storgårdens vårdcentral.
    """
    exact_columns, folded_columns = " ".join(COLUMNS), " ".join(FOLDED)
    return [
        f'{{{exact_columns}}} : "{word}"',
        f'{{{exact_columns}}} : "{word}"*',
        f'{{{folded_columns}}} : "{fold(word)}"*',
    ]


def word_expression(word: str) -> str:
    """One word, found from a word's start (any of its phrases)."""
    return "(" + " OR ".join(word_phrases(word)) + ")"


def match_expression(text: str) -> str | None:
    """The FTS5 expression for a text: every word must match from a word's start (letters and digits only)."""
    return " AND ".join(word_expression(word) for word in query_words(text)) or None


def infix_phrase(word: str) -> str | None:
    """The trigram table's expression for a word found inside a name, or None for a short word."""
    folded = fold(word)
    return f'"{folded}"' if len(folded) >= INFIX_MIN else None
