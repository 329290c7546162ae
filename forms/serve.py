"""`python -m forms.serve --site build`: the built site and the forms app on one local address.

For a newcomer and for demos: the contact pages link to `/e-tjanster/...`, so the static site and
the forms app must answer on the same host for those links to work. The test login is on, since
this is a demo; production serves the static folder from a web server and the forms app from
gunicorn (docs/operators.md).
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from werkzeug.security import safe_join
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

from forms.app import create_app
from forms.platform.security import CSP

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

STATIC_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class StaticSite:
    """Serves a built site folder: `index.html` for folders, the site's `404.html` for anything missing."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def _file(self, path: str) -> Path | None:
        joined = safe_join(str(self.folder), path.lstrip("/"))
        if joined is None:
            return None
        candidate = Path(joined)
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        if request.method not in {"GET", "HEAD"}:
            response = Response("Metoden är inte tillåten.", status=405, mimetype="text/plain")
        elif (found := self._file(path)) is not None:
            if found.name == "index.html" and not path.endswith("/") and not path.endswith("index.html"):
                response = Response(status=301, headers={"Location": path + "/"})
            else:
                kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                response = Response(found.read_bytes(), mimetype=kind)
                if kind.startswith("text/") or kind in {"application/xml", "application/json"}:
                    response.charset = "utf-8"
                    response.mimetype = kind
        else:
            missing = self.folder / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"Sidan finns inte."
            response = Response(body, status=404, mimetype="text/html" if missing.is_file() else "text/plain")
        response.headers.update(STATIC_HEADERS)
        return response(environ, start_response)


def combined(site: WSGIApp, forms: WSGIApp, prefix: str) -> WSGIApp:
    """One WSGI app: paths under `prefix` go to the forms app, everything else to the site."""
    bare = prefix.rstrip("/")

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == bare or path.startswith(prefix):
            return forms(environ, start_response)
        return site(environ, start_response)

    return app


def build_app(site_folder: Path, config: dict[str, Any] | None = None) -> tuple[WSGIApp, str]:
    """The combined app and the forms path, with the test login on."""
    forms_app = create_app({"FORMS_TEST_LOGIN": "1", **(config or {})})
    prefix = forms_app.extensions["hittavard_forms"].prefix
    return combined(StaticSite(site_folder), forms_app, prefix), prefix


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m forms.serve",
        description="Visa den byggda webbplatsen och e-tjänsterna på en lokal adress (med testinloggning).",
    )
    parser.add_argument("--site", type=Path, required=True, help="mappen med den byggda webbplatsen (build)")
    parser.add_argument("--host", default="127.0.0.1", help="adressen att lyssna på (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="porten att lyssna på (8000)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(
            f"{args.site}/index.html finns inte: bygg webbplatsen först med "
            f"`sitegen build --content content --out {args.site}`.",
            file=sys.stderr,
        )
        return 1
    app, prefix = build_app(args.site)
    shown_host = "127.0.0.1" if args.host in {"0.0.0.0", "::", ""} else args.host
    url = f"http://{shown_host}:{args.port}/"
    print(f"Hitta vård: {url}  (e-tjänsterna: {url.rstrip('/')}{prefix}, testinloggning på)", flush=True)
    print("Avsluta med Ctrl+C.", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False, use_debugger=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
