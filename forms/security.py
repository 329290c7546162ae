"""Headers on every response, CSRF on every POST, and error pages that reveal nothing.

The pages have no script at all, so the Content Security Policy allows none: even an injected
`<script>` could not run. Personal pages must not be kept by browsers or proxies (`no-store`);
only the fingerprinted stylesheet may be cached.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
CACHEABLE_ENDPOINTS = {"assets.stylesheet"}

log = logging.getLogger("forms.security")

ERROR_TEXTS: dict[int, tuple[str, str]] = {
    400: (
        "Sidan kunde inte skickas",
        "Något i det du skickade stämde inte, eller så hade sidan varit öppen för länge. "
        "Gå tillbaka, ladda om sidan och försök igen.",
    ),
    404: ("Sidan finns inte", "Vi hittar inte sidan du söker. Kontrollera adressen, eller börja om från inkorgen."),
    405: ("Det gick inte att göra så", "Sidan kan inte användas på det sättet. Gå tillbaka och försök igen."),
    413: ("För mycket text", "Det du skickade var för stort. Korta texten och försök igen."),
    500: (
        "Något gick fel hos oss",
        "Det blev ett fel när sidan skulle visas. Försök igen om en stund. "
        "Om det fortfarande inte fungerar kan du ringa mottagningen.",
    ),
    503: ("Tjänsten är inte tillgänglig", "Försök igen om en stund."),
}

FALLBACK_500 = (
    '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Något gick fel</title></head>'
    "<body><h1>Något gick fel hos oss</h1><p>Försök igen om en stund.</p></body></html>"
)


def set_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def error_page(status: int) -> tuple[str, int]:
    title, text = ERROR_TEXTS.get(status, ERROR_TEXTS[400 if status < 500 else 500])
    try:
        return render_template("forms/error.html", title=title, text=text, status=status), status
    except Exception:  # the error page must never fail in turn
        log.exception("error page could not be rendered")
        return FALLBACK_500, status


def init_app(app: Flask) -> None:
    CSRFProtect(app)
    app.after_request(set_headers)

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        log.warning("csrf failure: %s %s", request.method, request.path)
        return error_page(400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return error_page(error.code)

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_page(500)
