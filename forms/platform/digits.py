"""The app's `<int:…>` in URLs takes ASCII digits only, like every other number it reads.

Werkzeug's own converter matches `\\d+`, so /sida/٣/ was page 3 and /standardsvar/５/ answer 5: a
second address for the same page. The product refuses other scripts' digits everywhere
(sitegen.content.digits says why); here that means a 404, as for any address that is not ours.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter


class AsciiIntConverter(IntegerConverter):
    """1–9 ASCII digits; a longer number is no page or id of ours either."""

    regex = r"[0-9]{1,9}"


def install(app: Flask) -> None:
    """Before any blueprint is registered: the rules are compiled with the converter they name."""
    app.url_map.converters["int"] = AsciiIntConverter
