""""Menade du …?": spellings close to a query that found nothing, from the names and places.

rapidfuzz compares the folded forms (no case, no diacritics), so "malmo" and "Malmö" are close and a
missed letter or two swapped ones still lead somewhere. Candidates are the query with each word
corrected to the closest word of the names and places, and whole place names. (Whole names of
mottagningar are not compared: at 10,000 names that cost more than the search itself, and their
words are already among the candidates.)
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

from sitegen.search.schema import fold, words

WORD_CUTOFF = 75.0
WHOLE_CUTOFF = 80.0


class Suggester:
    def __init__(self, names: Iterable[str], places: Iterable[str]) -> None:
        places = sorted(set(places))
        wholes = places
        self._wholes = wholes
        self._wholes_folded = [fold(text) for text in wholes]
        vocabulary: dict[str, str] = {}
        for text in sorted({*names, *places}):
            for word in words(text):
                if len(word) >= 3:
                    vocabulary.setdefault(fold(word), word)
        self._words = sorted(vocabulary.values())
        self._words_folded = [fold(word) for word in self._words]

    def candidates(self, text: str) -> list[str]:
        """Close spellings, best first; never the text itself."""
        typed = words(text)
        if not typed:
            return []
        found: list[str] = []
        corrected = []
        for word in typed:
            best = process.extractOne(fold(word), self._words_folded, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF)
            corrected.append(self._words[best[2]] if best else word)
        found.append(" ".join(corrected))
        for _, _, index in process.extract(
            fold(" ".join(typed)),
            self._wholes_folded,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=5,
            score_cutoff=WHOLE_CUTOFF,
        ):
            found.append(self._wholes[index])
        seen = {fold(" ".join(typed))}
        unique = []
        for candidate in found:
            if fold(candidate) not in seen:
                seen.add(fold(candidate))
                unique.append(candidate)
        return unique
