"""Hitta vård's forms app: the logged-in, JavaScript-free 1177 case forms (CONTRACT section 4).

`create_app()` builds it from FORMS_* environment variables; `flask --app forms run` serves it at
the path of the site's `forms_url` (default /e-tjanster/), and `python -m forms.serve` serves it
together with the built static site. See docs/operators.md.
"""

from forms.app import create_app

__all__ = ["create_app"]
