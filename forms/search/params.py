"""The search page's parameters as a citizen's browser (or anyone) may send them.

Every value is optional and may be anything: repeated, empty, 10,000 characters, control
characters, a page number of 0 or 99999. Each is read into something the search can use, and
whatever had to be ignored or corrected becomes a plain Swedish sentence on the page.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

MAX_QUERY_CHARS = 200  # more is cut off (and said); a search box never needs more


def clean(text: str) -> str:
    """Without control characters, in one Unicode form, spaces collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text)
    return " ".join(text.split())


@dataclass
class SearchParams:
    q: str = ""
    kommun: str | None = None
    etjanst: str | None = None
    open_now: bool = False
    page: int = 1
    notes: list[str] = field(default_factory=list)  # sentences about input that was corrected

    @classmethod
    def read(cls, args: MultiDict[str, str]) -> SearchParams:
        params = cls()
        raw_q = args.get("q", "")
        params.q = clean(raw_q[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS].strip()
        if len(raw_q) > MAX_QUERY_CHARS * 4 or len(clean(raw_q)) > MAX_QUERY_CHARS:
            params.notes.append(f"Din sökning var för lång. Vi sökte på de första {MAX_QUERY_CHARS} tecknen.")
        params.kommun = clean(args.get("kommun", "")[:MAX_QUERY_CHARS]) or None
        params.etjanst = clean(args.get("etjanst", "")[:MAX_QUERY_CHARS]) or None
        oppet = clean(args.get("oppet", "")[:20]).casefold()
        params.open_now = oppet == "nu"
        if oppet and oppet != "nu":
            params.notes.append("Filtret ”Öppet nu” kan bara vara på eller av. Sökningen visar alla mottagningar.")
        sida = args.get("sida", "").strip()
        if sida:
            if sida.isascii() and sida.isdigit() and len(sida) <= 6 and int(sida) >= 1:
                params.page = int(sida)
            else:
                params.notes.append(f"Det finns ingen sida ”{clean(sida[:20])}”. Du ser sida 1.")
        return params
