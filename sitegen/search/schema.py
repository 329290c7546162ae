"""Where the index lives, its tables, and the one way text is cut into words for it.

The index sits inside the built site, in a folder whose name starts with a dot: the static servers
(forms.serve and deploy/nginx.conf) refuse every such path, so it is never a public file, yet it
travels with the site it describes. `FORMS_SITE_DIR` names the site; the app finds the index there.

Swedish-aware matching: å, ä and ö are letters of their own (the tokenizer keeps diacritics), so
"Malmö" matches "malmö" first; every text is also indexed folded (å→a, ä→a, ö→o) in columns of
lower weight, so "malmo" still finds Malmö, ranked after the exact spellings.

Compound words: Swedish writes "Folktandvården" and "Vårdcentralen" as one word, and the word index
finds a word only from its start. The folded names are therefore also indexed as trigrams (FTS5's
`trigram` tokenizer), so a query word of at least INFIX_MIN letters is found inside a name too
("tandvård" finds Folktandvården); such hits rank after every hit found from word starts.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

INDEX_FOLDER = ".search"
INDEX_FILE = "index.sqlite3"
SCHEMA_VERSION = "3"  # 2: the trigram table of names; no prefix indexes. 3: postal codes also unspaced

# Words of a text, as the index's tokenizer (unicode61) sees them: letters and digits.
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 8
# Little words a citizen types between the words that matter ("vårdcentral i Granberga"); every
# word must match, so these are left out of a query that has other words.
STOPWORDS = frozenset({"i", "och", "på", "vid", "för", "med", "av", "till", "en", "ett", "den", "det", "nära"})
MAX_WORD_LENGTH = 40
# A query word this long is also looked for inside the names (compound words); shorter ones only
# from word starts: three letters inside a word ("ost", "and") match too much to be of any help.
INFIX_MIN = 4

# Weights of the full-text columns for BM25: name hits above municipality, address and
# e-service hits; the folded spellings count less than the exact ones.
COLUMNS = ("name", "municipality", "address", "eservices")
FOLDED = tuple(f"{column}_f" for column in COLUMNS)
WEIGHTS = (12.0, 6.0, 2.0, 1.5, 6.0, 3.0, 1.0, 0.75)

DDL = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE clinics (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    municipality TEXT NOT NULL,
    municipality_key TEXT NOT NULL,
    street TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    eservice_count INTEGER NOT NULL,
    hours TEXT NOT NULL
);
CREATE INDEX clinics_municipality ON clinics (municipality_key);
CREATE TABLE clinic_eservices (
    clinic_id INTEGER NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    PRIMARY KEY (name_key, clinic_id)
) WITHOUT ROWID;
CREATE INDEX clinic_eservices_clinic ON clinic_eservices (clinic_id);
CREATE VIRTUAL TABLE fts USING fts5(
    {", ".join(COLUMNS + FOLDED)},
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE name_trigrams USING fts5(name_f, tokenize = 'trigram');
"""
# No prefix indexes ("prefix = '2 3 4'"): at 10,000 mottagningar they made writing the index a
# third slower and the queries no faster (a query's time is BM25 over its matches, not the lookup
# of the words that start with its prefix; docs/performance.md).


def index_path(site_dir: Path) -> Path:
    """The index of the site built into `site_dir`."""
    return Path(site_dir) / INDEX_FOLDER / INDEX_FILE


class _FoldTable(dict):  # type: ignore[type-arg]
    """str.translate's table for fold(): each character's decomposition without its marks, worked
    out the first time the character is seen (a build folds millions of characters, few distinct)."""

    def __missing__(self, codepoint: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(codepoint))
        folded = "".join(char for char in decomposed if not unicodedata.combining(char))
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower case without diacritics: "Vårdcentralen Malmö" → "vardcentralen malmo"."""
    return text.casefold().translate(_FOLD)


def key(text: str) -> str:
    """How names are compared for the filters: case and Unicode form do not matter, letters do."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def words(text: str) -> list[str]:
    """The words of a query, at most MAX_WORDS of at most MAX_WORD_LENGTH characters each.

    Everything else (quotes, stars, colons, brackets, minus signs, control characters) is dropped:
    user text never reaches the index as query syntax.
    """
    found = _WORD.findall(unicodedata.normalize("NFC", text).casefold())
    return [word[:MAX_WORD_LENGTH] for word in found[:MAX_WORDS]]
