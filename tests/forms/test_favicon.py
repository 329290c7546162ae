"""The forms app's pages link the theme's favicon and serve it like the stylesheet, so a browser
never falls back to asking for a /favicon.ico that is not there."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.forms.conftest import BASE


def test_forms_pages_link_the_fingerprinted_favicon_and_serve_it(app: Flask, client: FlaskClient) -> None:
    theme = app.extensions["hittavard_forms"].theme
    page = client.get(f"{BASE}/logga-in/").text
    for suffix, mimetype in (("svg", "image/svg+xml"), ("ico", "image/x-icon")):
        path = theme.favicon_path(suffix)
        assert path is not None and f'href="{BASE}/{path}"' in page
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.data == theme.site_files[path]
    assert client.get(f"{BASE}/static/favicon.svg").status_code == 404
