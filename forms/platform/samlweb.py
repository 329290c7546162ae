"""What the citizens' and the staff's SAML views share: the SPs on the app, the browser binding
cookie, the refusal page, Logga ut's LogoutRequest and the SLO endpoint, and the CSP's form-action
for the IdP. Kept once here so that the two sides cannot drift apart (logout_redirect had a copy
on each side).

The IdP answers by a cross-site POST, which carries no SameSite=Lax cookie; so the request is
bound to the browser by a cookie of its own, SameSite=None (Secure and `__Host-` over https),
HttpOnly, holding a random value whose hash is stored with the request (forms.identity.saml.state).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, abort, current_app, redirect, request
from werkzeug.wrappers import Response

from forms.identity.saml import slo, state
from forms.identity.saml.response import now_utc
from forms.identity.saml.settings import Side, read_sp_settings
from forms.identity.saml.sp import ServiceProvider
from forms.identity.saml.xmlguard import Refused
from forms.platform.audit import security_event
from forms.platform.security import CSP_TEMPLATE
from forms.platform.services import services

EXTENSION = "hittavard_saml"
TITLE = "Inloggningen misslyckades"


def providers() -> dict[Side, ServiceProvider]:
    return current_app.extensions.get(EXTENSION, {})  # type: ignore[no-any-return]


def provider(side: Side) -> ServiceProvider | None:
    return providers().get(side)


def _cookie_name(sp: ServiceProvider) -> str:
    return "__Host-saml" if sp.settings.secure else "saml-binding"


def binding_value(sp: ServiceProvider) -> str | None:
    value = request.cookies.get(_cookie_name(sp))
    return value if value and len(value) < 100 else None


def start_login(sp: ServiceProvider, target: str) -> Response:
    """303 to the IdP with a signed AuthnRequest, remembered with this browser's binding value."""
    binding = binding_value(sp) or secrets.token_urlsafe(32)
    request_id, idp, location = sp.authn_request_url("")
    reach_idp(sp)
    state.remember_request(
        current_app.extensions["hittavard_forms"].store.engine, request_id=request_id, side=sp.settings.side,
        binding=binding, idp=idp, target=target, now=now_utc(),
    )
    response = Response(status=303, headers={"Location": location})
    secure = sp.settings.secure
    # SameSite=None needs Secure; over plain http (127.0.0.1 in tests and the demo) the IdP's POST
    # is same-site anyway, so Lax carries it.
    response.set_cookie(
        _cookie_name(sp), binding, max_age=int(state.REQUEST_LIFETIME.total_seconds()), path="/",
        secure=secure, httponly=True, samesite="None" if secure else "Lax",
    )
    return response


def refused(reason: str, side: str, page: str) -> tuple[str, int]:
    """`page` (the side's "Inloggningen misslyckades") as a 403, and the security event with the
    reason code; never the message, a personnummer or an HSA-id."""
    security_event("login_failed", reason=reason[:80], kind=side, via="saml")
    return page, 403


def logout_redirect(side: Side, saml: object) -> Response | None:
    """After the session of `side` has ended: the signed LogoutRequest to the IdP, when it offers
    single logout. A failure to build it is logged and the user is logged out here all the same."""
    sp = provider(side)
    if sp is None or not isinstance(saml, dict):
        return None
    try:
        url = slo.logout_request_url(sp, saml["idp"], saml["name_id"], saml.get("format", ""), saml.get("index", ""))
    except Exception:
        security_event("logout_request_failed", kind=side)
        return None
    if not url:
        return None
    reach_idp(sp)
    return redirect(url, code=303)


def single_logout(sp: ServiceProvider, kind: str, logged_out: str) -> Response:
    """The SLO endpoint of either side: an IdP's LogoutRequest (HTTP-Redirect, or HTTP-POST signed in
    its XML) ends the session it names on whichever node holds it and is answered; our LogoutRequest's
    answer leads to `logged_out`. Anything that does not verify ends nothing (400, a `logout_refused`
    event)."""
    raw = request.query_string.decode("ascii", "replace")
    try:
        if request.method == "GET" and "SAMLRequest" in request.args:
            key, answer = slo.take_logout_request(sp, raw, request.args["SAMLRequest"])
        elif request.method == "POST" and "SAMLRequest" in request.form:
            key, answer = slo.take_logout_request_post(sp, request.form["SAMLRequest"])
        else:
            key = answer = ""
        if key:
            ended = services().store.delete_sessions_named(key)
            security_event("logout", via="saml_idp", kind=kind, ended=ended)
            return redirect(answer, code=303)
        message = request.values.get("SAMLResponse")
        if not message:
            abort(400)
        binding = slo.BINDING_HTTP_REDIRECT if request.method == "GET" else slo.BINDING_HTTP_POST
        slo.take_logout_response(sp, raw, message, binding)
    except Refused as refusal:
        security_event("logout_refused", reason=refusal.reason, kind=kind)
        abort(400)
    return redirect(logged_out, code=303)


def metadata(sp: ServiceProvider) -> Response:
    return Response(sp.metadata_xml(), mimetype="application/samlmetadata+xml")


def init_app(app: Flask, config: Mapping[str, Any], forms_path: str) -> None:
    """Build the configured SPs and let the CSP's form-action reach their IdPs."""
    found = {side: ServiceProvider(settings) for side, settings in read_sp_settings(forms_path, config).items()}
    app.extensions[EXTENSION] = found
    if not found:
        return
    for sp in found.values():
        if not sp.settings.idp_metadata.startswith("https://"):
            sp.client  # noqa: B018 - a metadata file that does not verify stops the start (MetadataRefused)
    origins: list[str] = []
    for sp in found.values():
        for origin in sp.form_action_origins():
            if origin not in origins:
                origins.append(origin)
    _allow_form_action(app, origins)


def _allow_form_action(app: Flask, origins: list[str]) -> None:
    """Add `origins` to the CSP's form-action, each once."""
    current = app.config.get("FORMS_CSP", "")
    start = current.find("form-action ") + len("form-action ")
    sources = current[start:current.index(";", start)].split() if start >= len("form-action ") else ["'self'"]
    missing = [origin for origin in dict.fromkeys(origins) if origin not in sources]
    if missing or not current:
        app.config["FORMS_CSP"] = CSP_TEMPLATE.format(form_action=" ".join(sources + missing))


def reach_idp(sp: ServiceProvider) -> None:
    """Before sending the browser to the IdP: its origins in this process's form-action. A metadata
    URL that was down when the process started gave none then (forms.identity.saml.sp); without
    this, Logga ut's redirect to the IdP after a form POST would break until a restart."""
    _allow_form_action(current_app, sp.form_action_origins())  # type: ignore[arg-type]
