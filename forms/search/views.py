"""The search page: one GET view, a normal page for any input, never an error for a query."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for

from forms.platform.rendering import site_frame
from forms.platform.services import services
from forms.search.cache import MOMENT_KEY
from forms.search.lists import count_text, filter_links, municipality_list
from forms.search.params import SearchParams
from sitegen.search.opening import OpeningHours
from sitegen.search.query import Facet, Query, Results
from sitegen.search.reader import IndexMissing, Searcher, SqliteSearcher
from sitegen.search.schema import words

bp = Blueprint("search", __name__)
log = logging.getLogger(__name__)

UNAVAILABLE = "Sökningen fungerar inte just nu. Försök igen om en stund, eller välj en kommun på startsidan."
PAGE_WINDOW = 2  # page links shown on each side of the current page (plus the first and the last)


def searcher_for(site_dir: Path) -> Searcher:
    return SqliteSearcher(site_dir, OpeningHours())


def _searcher() -> Searcher:
    return current_app.extensions["hittavard_search"]  # type: ignore[no-any-return]


def public_page(template: str, **context: Any) -> str:
    """A page that is the same for every visitor: the site's frame without the logged-in bar.

    Rendered with the app's Jinja environment but without its context processors, which read the
    session (to show who is logged in); so the page never depends on, nor touches, the session,
    and forms/search/cache.py may keep it for everyone.
    """
    return current_app.jinja_env.get_template(template).render(**site_frame(), **context)


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The page links to show: the first, the last, and a few around the current one (None: a gap)."""
    shown = sorted({1, pages, *range(max(1, page - PAGE_WINDOW), min(pages, page + PAGE_WINDOW) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@bp.get("/sok/")
def search() -> tuple[str, int]:
    svc = services()
    params = SearchParams.read(request.args)
    searcher = _searcher()
    moment = request.environ.get(MOMENT_KEY) or svc.now()  # the cache's moment: the page is kept for its minute
    if params.q and not words(params.q):
        params.notes.append(
            "Sökningen innehöll inga bokstäver eller siffror. Skriv till exempel en del av mottagningens namn."
        )
        params.q = ""
    try:
        municipality = searcher.municipality_named(params.kommun) if params.kommun else None
        if params.kommun and municipality is None:
            params.notes.append(
                f"Det finns ingen kommun som heter ”{params.kommun}” bland mottagningarna."
                " Sökningen gäller alla kommuner."
            )
        eservice = searcher.eservice_named(params.etjanst) if params.etjanst else None
        if params.etjanst and eservice is None:
            params.notes.append(
                f"Ingen mottagning har en e-tjänst som heter ”{params.etjanst}”. Sökningen gäller alla e-tjänster."
            )
        asked = bool(params.q or municipality or eservice or params.open_now)
        results: Results | None = None
        suggestions: list[str] = []
        if asked:
            query = Query(params.q, municipality, eservice, params.open_now, moment, params.page)
            results = searcher.search(query)
            if params.page > results.pages and results.total:
                only = f"{results.pages} sidor" if results.pages > 1 else "en sida"
                params.notes.append(f"Det finns bara {only} med träffar. Du ser sida {results.page}.")
            if not results.total and params.q and not (municipality or eservice or params.open_now):
                suggestions = searcher.suggestions(params.q)
        all_municipalities: list[Facet] = searcher.municipalities() if not results or not results.total else []
    except (IndexMissing, sqlite3.Error):
        log.exception("search index unavailable")
        return render_template("forms/search_unavailable.html", text=UNAVAILABLE), 503

    base = url_for("search.search")

    def link(**changes: Any) -> str:
        """This search with some parameters changed (None removes one); a new filter starts at page 1."""
        values: dict[str, Any] = {
            "q": params.q or None,
            "kommun": municipality,
            "etjanst": eservice,
            "oppet": "nu" if params.open_now else None,
        }
        values.update(changes)
        chosen = {name: value for name, value in values.items() if value}
        return f"{base}?{urlencode(chosen)}" if chosen else base

    current = link()
    adding = current + ("&" if "?" in current else "?")  # this search with one more filter after it
    offered = results is not None and results.total > 0
    return public_page(
        "forms/search.html",
        params=params,
        municipality=municipality,
        eservice=eservice,
        results=results,
        suggestions=suggestions,
        all_municipalities=municipality_list(base, all_municipalities),
        municipality_links=filter_links(adding, "kommun", results.municipalities) if offered else "",
        eservice_links=filter_links(adding, "etjanst", results.eservices) if offered else "",
        open_link=f"{adding}oppet=nu",
        numbers=page_numbers(results.page, results.pages) if results else [],
        link=link,
        count_text=count_text,
    ), 200
