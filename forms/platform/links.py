"""A list's links to its rows' pages, as url_for writes them, made once per list.

url_for costs about 5 µs a link (the rule's look-up, a converter per value, the script root); a
list of 25 rows whose links differ only in the row's key paid that 25 times over, 0.13 ms a page.
So the platform makes such a family of links once, and a view calls a plain function per row
instead of writing the address's shape by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, url_for
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
