"""Pages in the site's theme: the Jinja setup, what every template gets, and the stylesheet.

The forms app renders with the same `themes/default` templates and stylesheet as the static site,
so a citizen going from a contact page into a form sees one service, not two.
"""

from __future__ import annotations

import datetime

from flask import Blueprint, Flask, abort, request
from markupsafe import Markup
from werkzeug.wrappers import Response

from forms.platform.citizen import current_citizen, here
from forms.platform.links import bar_links
from forms.platform.services import STOCKHOLM, services
from sitegen.site.dates import date_words
from sitegen.site.markdown import render_markdown

assets = Blueprint("assets", __name__)

CSS_MAX_AGE = 365 * 24 * 3600


@assets.get("/static/<name>")
def stylesheet(name: str) -> Response:
    """The theme's fingerprinted stylesheet and favicon: a name changes with the content, so cache it a year."""
    theme = services().theme
    data = theme.site_files.get(f"static/{name}")
    if data is None:
        abort(404)
    mimetype = {"css": "text/css", "svg": "image/svg+xml", "ico": "image/x-icon"}[name.rsplit(".", 1)[1]]
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={CSS_MAX_AGE}, immutable"
    return response


def local_time(value: datetime.datetime) -> str:
    """A stored UTC time as a person reads it in Sweden, "7 december 2026 kl. 02.15" (CONTRACT section 5)."""
    aware = value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value
    local = aware.astimezone(STOCKHOLM)
    return f"{date_words(local.date())} kl. {local:%H.%M}"


def villkor_html(text: str) -> Markup:
    return render_markdown(text, 3)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["villkor_html"] = villkor_html
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["date_words"] = date_words
    app.register_blueprint(assets, url_prefix=services_prefix(app))

    @app.context_processor
    def theme_context() -> dict[str, object]:
        svc = services()
        return {
            **site_frame(),
            "prefix": svc.prefix,
            "citizen": current_citizen(),
            "bar_links": bar_links(),
            "here": here() if request.method == "GET" else request.path,
            "test_login": svc.settings.test_login,
            "cancel_url": None,  # a journey's blueprint says where its "Avbryt" leads
        }


# The stylesheet's and icons' links, made once per theme object and prefix (the same on every page);
# replaced whole, never changed in place, since the threads of a worker share it.
_links: list[tuple[object, str, dict[str, str]]] = [(None, "", {})]


def site_frame() -> dict[str, object]:
    """What every page's frame shows that is the same for every visitor: the site, its stylesheet and
    icons, the way back to the site. A public page (the search) renders with this alone."""
    svc = services()
    theme, prefix, links = _links[0]
    if theme is not svc.theme or prefix != svc.prefix:
        links = {"css_href": f"{svc.prefix}static/{svc.theme.css_name}"}
        for suffix in ("svg", "ico"):
            if path := svc.theme.favicon_path(suffix):
                links[f"favicon_{suffix}"] = f"{svc.prefix}{path}"
        _links[0] = (svc.theme, svc.prefix, links)
    return {"site": svc.content.site, **links, "root": svc.site_root}


def services_prefix(app: Flask) -> str:
    return str(app.extensions["hittavard_forms"].prefix.rstrip("/"))
