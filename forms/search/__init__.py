"""`/sok/`: finding a mottagning, answered by the app from the built site's search index.

The index is sitegen.search's (written by `sitegen build` into FORMS_SITE_DIR); this package is
only the page: reading the request's parameters without ever failing on them, and showing the
results, the filters as links that keep the query, the pages, and suggestions when nothing is found.
"""

from __future__ import annotations

from flask import Flask

from forms.search.views import bp, searcher_for


def init_app(app: Flask) -> None:
    """Serve /sok/ at the site's root (not under the forms prefix), reading FORMS_SITE_DIR's index."""
    app.extensions["hittavard_search"] = searcher_for(app.extensions["hittavard_forms"].settings.site_dir)
    app.register_blueprint(bp)
