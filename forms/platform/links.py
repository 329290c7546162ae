"""Links made once instead of by url_for on every use: a list's links to its rows' pages or to
itself with other filters, and the logged-in bar's links.

url_for costs about 5 µs a link (the rule's look-up, a converter per value, the script root); a
list of 25 rows whose links differ only in the row's key paid that 25 times over, 0.13 ms a page.
So the platform makes such a family of links once, and a view calls a plain function per row
instead of writing the address's shape by hand. The bar's links are the same on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode

from flask import current_app, request, url_for
from werkzeug.routing import BaseConverter

_PART = "hittavardlinkpart"  # stands in for the varying part: url_for writes it as it is


def links_along(endpoint: str, part: str, **values: Any) -> Callable[[str], str]:
    """The addresses of `endpoint` with `values`, for any value of the path part `part`.

    The part is quoted as the default (string) converter quotes it, so only a route that takes the
    part as a string fits; one that does not (a query parameter, an `<int:…>`) is refused here.
    """
    address = url_for(endpoint, **values, **{part: _PART})
    head, found, tail = address.partition(_PART)
    if not found or _PART in tail or "?" in head:
        raise ValueError(f"{part!r} is not one path part of {endpoint}'s address")
    quoted = BaseConverter(current_app.url_map).to_url
    return lambda value: f"{head}{quoted(value)}{tail}"


_QUERY_SAFE = "!$'()*,/:;?@"  # what Werkzeug leaves unquoted in a query (the URL standard's set)


def links_with_query(endpoint: str, **values: Any) -> Callable[[Mapping[str, Any]], str]:
    """The address of `endpoint` with `values`, with any query: a list's filter and page links.

    The query is written as url_for writes it (its order, Werkzeug's quoting), so a link made here
    is the one url_for would make, at one url_for a list instead of one a link.
    """
    base = url_for(endpoint, **values)
    if "?" in base:
        raise ValueError(f"{endpoint}'s address already has a query: give the query to the links")
    return lambda query: f"{base}?{urlencode(list(query.items()), safe=_QUERY_SAFE)}" if query else base


class BarLinks(NamedTuple):
    """The logged-in bar's links that are the same on every page."""

    logout: str
    inbox: str
    booked: str


# (app, script root, links): replaced whole, never changed in place, since a worker's threads share it.
_bar: list[tuple[object, str, BarLinks | None]] = [(None, "", None)]


def bar_links() -> BarLinks:
    """"Logga ut", "Inkorg" and "Bokade tider", made with url_for once per app and script root.

    Every logged-in page shows them; three url_for calls cost about 0.02 ms a page (issue 22).
    """
    app, root, links = _bar[0]
    if links is None or app is not current_app._get_current_object() or root != request.script_root:  # type: ignore[attr-defined]
        links = BarLinks(url_for("auth.logout"), url_for("inbox.inbox"), url_for("booked.booked"))
        _bar[0] = (current_app._get_current_object(), request.script_root, links)  # type: ignore[attr-defined]
    return links
