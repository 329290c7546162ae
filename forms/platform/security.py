"""Headers on every response, CSRF on every POST, and error pages that reveal nothing.

The pages have no script at all, so the Content Security Policy allows none: even an injected
`<script>` could not run. Personal pages must not be kept by browsers or proxies (`no-store`);
only the fingerprinted stylesheet may be cached.

CSRF tokens are Flask-WTF's (`generate_csrf`, `validate_csrf`): signed, timed and bound to the
session's own secret. The check runs in our before-request hook rather than CSRFProtect's so that a
token that is only too old (the citizen's own page, left open for long) can be told apart from a
missing or forged one: the first gets the page back with what was typed and a note to send again,
the others a plain 400. No Referer check is made (WTF_CSRF_SSL_STRICT is off), so it works
unchanged behind a TLS-terminating proxy.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, render_template, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response
from wtforms import ValidationError

from forms.platform import audit
from forms.platform.tokens import signed_tokens

F = TypeVar("F", bound=Callable[..., Any])

CSP_TEMPLATE = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action {form_action}; "
    "frame-ancestors 'none'; base-uri 'none'"
)
CSP = CSP_TEMPLATE.format(form_action="'self'")  # without a production login on another origin
HSTS = "max-age=31536000; includeSubDomains"  # a year: browsers then never try plain HTTP first
CACHEABLE_ENDPOINTS = {"assets.stylesheet"}

CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CsrfState = Literal["ok", "missing", "invalid", "expired"]

STALE_TITLE = "Sidan hade varit öppen länge"
STALE_PAGE = (
    "Sidan hade varit öppen länge, så av säkerhetsskäl sparade vi inte det du skickade. "
    "Det du hade fyllt i finns kvar nedan. Kontrollera det och tryck på {button} igen."
)
STALE_ELSEWHERE = (
    "Sidan hade varit öppen länge, så av säkerhetsskäl sparade vi inte det du skickade. "
    "Gå tillbaka, ladda om sidan och försök igen."
)

ERROR_TEXTS: dict[int, tuple[str, str]] = {
    400: (
        "Sidan kunde inte skickas",
        "Något i det du skickade stämde inte, eller så hade sidan varit öppen för länge. "
        "Gå tillbaka, ladda om sidan och försök igen.",
    ),
    404: ("Sidan finns inte", "Vi hittar inte sidan du söker. Kontrollera adressen, eller börja om från inkorgen."),
    405: ("Det gick inte att göra så", "Sidan kan inte användas på det sättet. Gå tillbaka och försök igen."),
    413: (
        "För mycket text",
        "Det du skickade var större än vi tar emot (högst 512 kB). Korta texten och försök igen.",
    ),
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


def content_security_policy(login_url: str | None) -> str:
    """The CSP: forms may post only to the app, and to the identity provider's origin if set."""
    sources = ["'self'"]
    if login_url:
        parts = urlsplit(login_url)
        if parts.scheme in {"https", "http"} and parts.netloc:
            sources.append(f"{parts.scheme}://{parts.netloc}")
    return CSP_TEMPLATE.format(form_action=" ".join(sources))


def set_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = current_app.config.get("FORMS_CSP", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Strict-Transport-Security"] = HSTS
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


# CSRF -------------------------------------------------------------------------------------------


def csrf_token() -> str:
    """The token for the forms of this page (a Jinja global); starts the session's secret if needed.

    Flask-WTF's `generate_csrf` signs it; a session's token is reused for up to a minute (a
    sixtieth of its lifetime: `forms.platform.tokens`), and put where `generate_csrf` keeps it, so
    the page's other forms, and any later call of `generate_csrf` in the request, get the same one.
    """
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g:
        return str(g.get(field))
    if not isinstance(session.get(field), str):
        generate_csrf()  # the session's first token: Flask-WTF makes the secret with it, kept below
    signing_key = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    lifetime = current_app.extensions["hittavard_forms"].settings.csrf_minutes * 60
    token = signed_tokens.get((signing_key, session[field]), lambda: str(generate_csrf()), lifetime)
    setattr(g, field, token)
    return token


def csrf_state(token: str | None) -> CsrfState:
    """Whether a posted token is good, absent, wrong (forged, another session's) or only too old."""
    limit = current_app.extensions["hittavard_forms"].settings.csrf_minutes * 60
    try:
        validate_csrf(token, time_limit=limit)
    except ValidationError as error:
        if not token:
            return "missing"
        if "expired" in str(error) and _signed_for_this_session(token):
            return "expired"
        return "invalid"
    return "ok"


def _signed_for_this_session(token: str) -> bool:
    """An expired token counts as this citizen's own only if it carries this session's secret."""
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt="wtf-csrf-token")
    try:
        value = serializer.loads(token)
    except BadData:
        return False
    own = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    return isinstance(own, str) and isinstance(value, str) and hmac.compare_digest(own, value)


def csrf_exempt(view: F) -> F:
    """Leave a view out of the CSRF check (an identity provider's callback that posts back)."""
    view._csrf_exempt = True  # type: ignore[attr-defined]
    return view


def keeps_typing(view: F) -> F:
    """The view handles a stale token itself: it shows the page again with what was posted.

    Such a view must check `token_was_stale()` before it stores anything.
    """
    view._csrf_keeps_typing = True  # type: ignore[attr-defined]
    return view


def token_was_stale() -> bool:
    """True when this POST carried the session's own token, but too old to act on."""
    return bool(g.get("csrf_stale", False))


def stale_notice(button: str) -> str:
    """The note above a page shown again after a stale token; `button` is what to press again."""
    return STALE_PAGE.format(button=button)


def csrf_protect() -> Response | tuple[str, int] | None:
    """Before every request: a state-changing request needs this session's token."""
    if request.method not in UNSAFE_METHODS or request.endpoint is None:
        return None  # no such page (404) or method (405): nothing will run
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "_csrf_exempt", False):
        return None
    state = csrf_state(request.form.get(CSRF_FIELD))
    if state == "ok":
        return None
    audit.security_event("csrf_failure", reason=state)
    if state != "expired":
        abort(400)
    if getattr(view, "_csrf_keeps_typing", False):
        g.csrf_stale = True
        return None
    return error_page(400, title=STALE_TITLE, text=STALE_ELSEWHERE)


# Error pages ------------------------------------------------------------------------------------


def error_page(
    status: int, error_id: str | None = None, title: str | None = None, text: str | None = None
) -> tuple[str, int]:
    default_title, default_text = ERROR_TEXTS.get(status, ERROR_TEXTS[400 if status < 500 else 500])
    try:
        html = render_template(
            "forms/error.html", title=title or default_title, text=text or default_text, status=status,
            error_id=error_id,
        )
        return html, status
    except Exception:  # the error page must never fail in turn
        audit.security_event("error_page_failed", status=status)
        return FALLBACK_500, status


def init_app(app: Flask) -> None:
    services = app.extensions["hittavard_forms"]
    app.config["FORMS_CSP"] = content_security_policy(services.login_url)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.before_request(csrf_protect)
    app.after_request(set_headers)

    @app.context_processor
    def stale_context() -> dict[str, object]:
        return {"stale_notice": g.get("stale_notice")}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return error_page(error.code)

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        error_id = audit.new_error_id()
        audit.server_error(error, error_id)
        return error_page(500, error_id=error_id)
