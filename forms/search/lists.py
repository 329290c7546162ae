"""The search page's long lists of filter links, each made once per page in one string join.

A broad query offers up to 240 municipalities, and a page without hits lists them all. As a loop
in the template, each link was a callback, a URL quoting and two escapes, about a third of the
page's CPU for a new query; the names repeat on every page, so their escaped and quoted forms are
kept, and a list is a join of pieces. What the template's loop wrote, this writes (the tests
compare the links and counts).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from urllib.parse import quote_plus

from markupsafe import Markup, escape

from sitegen.search.query import Facet


@functools.lru_cache(maxsize=4096)
def _pieces(name: str) -> tuple[str, str]:
    """A filter value as a link's parameter and as the link's text."""
    return quote_plus(name), str(escape(name))


def count_text(count: int) -> str:
    return f"{count} mottagning" if count == 1 else f"{count} mottagningar"


def filter_links(search: str, parameter: str, facets: Iterable[Facet]) -> Markup:
    """`<li>` links that add one filter to `search` (the address of the search as it stands,
    "?" or "&" included at its end): "Name (count)", or "Name" where it is not counted."""
    start = f'<li><a href="{escape(search)}{parameter}='
    lines = []
    for facet in facets:
        quoted, text = _pieces(facet.name)
        count = "" if facet.count is None else f" ({facet.count})"
        lines.append(f'{start}{quoted}">{text}{count}</a></li>')
    return Markup("\n".join(lines))


def municipality_list(base: str, facets: Iterable[Facet]) -> Markup:
    """`<li>` links to the search for each municipality alone, with its number of mottagningar."""
    start = f'<li><a href="{escape(base)}?kommun='
    lines = []
    for facet in facets:
        quoted, text = _pieces(facet.name)
        lines.append(f'{start}{quoted}">{text}</a> <span class="meta">({count_text(facet.count or 0)})</span></li>')
    return Markup("\n".join(lines))
