"""`python -m forms.serve --site build`: the built site and the forms app on one local address.

For a newcomer and for demos: the contact pages link to `/e-tjanster/...`, so the static site and
the forms app must answer on the same host for those links to work. It runs the way production
does, not on a development server: gunicorn's worker processes serve the app, and WhiteNoise
serves the built files with the caching of deploy/nginx.conf (fingerprinted files for a year,
pages revalidated) and the same security headers. The test login is on, since this is a demo
(FORMS_TEST_LOGIN=0 turns it off, for the SAML demo);
production puts nginx in front of several app nodes (deploy/, docs/operators.md).

Nothing under a folder whose name starts with a dot is served: the build keeps what only the app
reads there (the content snapshot, `.hittavard/`), and nginx refuses the same paths.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from wsgiref.headers import Headers

from whitenoise import WhiteNoise
from whitenoise.responders import Redirect

from forms.app import create_app
from forms.platform.security import CSP

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

STATIC_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# As deploy/nginx.conf: the stylesheet's name carries its hash, so it may be kept for a year;
# pages keep their address across builds and are revalidated, so a rebuild shows at once.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def _hidden(path: str) -> bool:
    """A path through a dot-folder or to a dot-file: the build's private files (never public)."""
    return any(part.startswith(".") for part in path.split("/") if part)


def _site_headers(headers: Headers, path: str, url: str) -> None:
    headers["Cache-Control"] = IMMUTABLE if url.startswith("/static/") else REVALIDATE
    for name, value in STATIC_HEADERS.items():
        headers[name] = value


class _SiteFiles(WhiteNoise):  # type: ignore[misc]
    """WhiteNoise with absolute folder redirects that carry the security headers too."""

    def redirect(self, from_url: str, to_url: str) -> Redirect:
        return Redirect(to_url, headers={**STATIC_HEADERS, "Cache-Control": REVALIDATE})


def _plain(status: str, body: bytes, kind: str) -> WSGIApp:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = [("Content-Type", kind), ("Content-Length", str(len(body))), ("Cache-Control", REVALIDATE)]
        start_response(status, headers + list(STATIC_HEADERS.items()))
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    return app


# Paths the app answers besides those under its prefix: the search page.
APP_PATHS = ("/sok/", "/sok")


class StaticSite:
    """Serves a built site folder: `index.html` for folders, the site's `404.html` for anything missing.

    The folder is listed once at start (WhiteNoise); a rebuild's new pages need a restart, which
    the run command does anyway.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        missing = self.folder / "404.html"
        if missing.is_file():
            self.not_found = _plain("404 Not Found", missing.read_bytes(), "text/html; charset=utf-8")
        else:
            self.not_found = _plain("404 Not Found", b"Sidan finns inte.", "text/plain; charset=utf-8")
        self.files = _SiteFiles(
            self.not_found,
            root=str(self.folder),
            index_file=True,
            allow_all_origins=False,
            add_headers_function=_site_headers,
        )
        refused = "Metoden är inte tillåten.".encode()
        self.not_allowed = _plain("405 Method Not Allowed", refused, "text/plain; charset=utf-8")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if _hidden(path):
            return self.not_found(environ, start_response)
        if environ.get("REQUEST_METHOD") not in {"GET", "HEAD"}:
            return self.not_allowed(environ, start_response)
        return self.files(environ, start_response)  # type: ignore[no-any-return]


def combined(site: WSGIApp, forms: WSGIApp, prefix: str) -> WSGIApp:
    """One WSGI app: paths under `prefix` go to the forms app, everything else to the site."""
    bare = prefix.rstrip("/")

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == bare or path.startswith(prefix) or path == APP_PATHS[1] or path.startswith(APP_PATHS[0]):
            return forms(environ, start_response)
        return site(environ, start_response)

    return app


def test_login_on() -> bool:
    """On unless FORMS_TEST_LOGIN is set to something else than 1: scripts/run-saml.sh sets it to 0,
    so that "Logga in" goes through the SAML IdP as in production."""
    return os.environ.get("FORMS_TEST_LOGIN", "1").strip().lower() in {"1", "true", "yes", "on", "ja"}


def build_app(site_folder: Path, config: dict[str, Any] | None = None) -> tuple[WSGIApp, str]:
    """The combined app and the forms path, with the test login on unless the environment turns it off.

    /sok/ reads the search index of the very site served here: left to FORMS_SITE_DIR's default
    (`build` in the working directory) it would read another build's index, or none.
    """
    defaults = {"FORMS_TEST_LOGIN": "1" if test_login_on() else "0", "FORMS_SITE_DIR": str(site_folder)}
    forms_app = create_app({**defaults, **(config or {})})
    prefix = forms_app.extensions["hittavard_forms"].prefix
    return combined(StaticSite(site_folder), forms_app, prefix), prefix


def _gunicorn(site: Path, host: str, port: int, workers: int, threads: int) -> Any:
    """A gunicorn application whose every worker builds the combined app itself (no shared pools)."""
    from gunicorn.app.base import BaseApplication

    class Serve(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "loglevel": "warning",  # the URL printed below is the one line a newcomer needs
                "accesslog": None,
                "graceful_timeout": 5,
            }.items():
                self.cfg.set(name, value)

        def load(self) -> WSGIApp:
            return build_app(site)[0]

    return Serve()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m forms.serve",
        description="Visa den byggda webbplatsen och e-tjänsterna på en lokal adress (med testinloggning).",
    )
    parser.add_argument("--site", type=Path, required=True, help="mappen med den byggda webbplatsen (build)")
    parser.add_argument("--host", default="127.0.0.1", help="adressen att lyssna på (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="porten att lyssna på (8000)")
    parser.add_argument("--workers", type=int, default=2, help="antal arbetsprocesser (2)")
    parser.add_argument("--threads", type=int, default=4, help="trådar per arbetsprocess (4)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(
            f"{args.site}/index.html finns inte: bygg webbplatsen först med "
            f"`sitegen build --content content --out {args.site}`.",
            file=sys.stderr,
        )
        return 1
    # Every worker must sign sessions with the same key, or a citizen is logged out whenever the
    # next request lands on another worker: one key for this run, unless the operator set one.
    os.environ.setdefault("FORMS_SECRET_KEY", secrets.token_hex(32))
    # The first worker to start creates the database tables; check the content and store once here
    # so that a broken content folder stops the command with its errors instead of every worker.
    _, prefix = build_app(args.site, {"FORMS_SITE_DIR": str(args.site)})
    shown_host = "127.0.0.1" if args.host in {"0.0.0.0", "::", ""} else args.host
    url = f"http://{shown_host}:{args.port}/"
    login = "testinloggning på" if test_login_on() else "inloggning via SAML"
    print(f"Hitta vård: {url}  (e-tjänsterna: {url.rstrip('/')}{prefix}, {login})", flush=True)
    print("Avsluta med Ctrl+C.", flush=True)
    _gunicorn(args.site, args.host, args.port, args.workers, args.threads).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
