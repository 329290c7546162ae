"""`/sok/`: finding a mottagning, answered by the app from the built site's search index.

The index is sitegen.search's (written by `sitegen build` into FORMS_SITE_DIR); this package is
only the page: reading the request's parameters without ever failing on them, and showing the
results, the filters as links that keep the query, the pages, and suggestions when nothing is found.
The page is the same for every visitor, so whole answers are kept per process (forms/search/cache.py).
"""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask

from forms.search.cache import SearchPageCache
from forms.search.views import bp, searcher_for
from sitegen.search.reader import IndexMissing

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Serve /sok/ at the site's root (not under the forms prefix), reading FORMS_SITE_DIR's index.

    Each worker process creates its app, so each warms its own searcher here: the first search
    would otherwise read every set of opening hours and the suggestion vocabulary, and compile
    the page's template, while its visitor waits.
    """
    svc = app.extensions["hittavard_forms"]
    searcher = searcher_for(svc.settings.site_dir)
    app.extensions["hittavard_search"] = searcher
    app.register_blueprint(bp)
    app.wsgi_app = SearchPageCache(app.wsgi_app, searcher.state, svc.now)  # type: ignore[method-assign]
    app.jinja_env.get_template("forms/search.html")
    try:
        searcher.warm(svc.now())
    except (IndexMissing, sqlite3.Error):  # /sok/ says it is unavailable, and logs why, until there is one
        log.warning("no readable search index in %s to warm", svc.settings.site_dir)
