"""The citizens' SAML service provider: `{forms_url}saml/metadata/`, `acs/`, `slo/`, and the start
of a login. The checks are forms.identity.saml's; here a login becomes a session, a refusal the
page "Inloggningen misslyckades", and logout a round trip through the IdP when it offers one.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from forms.identity.providers import Person
from forms.identity.saml import slo
from forms.identity.saml.response import take_response
from forms.identity.saml.xmlguard import Refused
from forms.platform.citizen import log_in, safe_next
from forms.platform.samlweb import TITLE, binding_value, metadata, provider, refused, single_logout, start_login
from forms.platform.security import csrf_exempt
from forms.platform.services import services

bp = Blueprint("saml", __name__)
SAML_KEY = "saml"  # in the session: what single logout needs (the IdP, NameID, SessionIndex)


def _sp():  # noqa: ANN202 - the ServiceProvider, or 404 when the citizens' SAML is not configured
    found = provider("citizen")
    if found is None:
        abort(404)
    return found


def _failed(reason: str) -> tuple[str, int]:
    page = render_template("forms/saml_failed.html", title=TITLE, again=url_for("auth.login"))
    return refused(reason, "citizen", page)


@bp.get("/saml/metadata/")
def saml_metadata() -> Response:
    return metadata(_sp())


@bp.get("/saml/logga-in/")
def saml_login() -> Response | tuple[str, int]:
    target = safe_next(request.args.get("next")) or url_for("inbox.inbox")
    try:
        return start_login(_sp(), target)
    except Refused as refusal:  # the IdP metadata no longer verifies (forms.identity.saml.metadata)
        return _failed(refusal.reason)


@bp.route("/saml/acs/", methods=["GET", "POST"])
@csrf_exempt  # the IdP posts here; the request's binding to this browser is what protects it
def saml_acs() -> Response | tuple[str, int]:
    sp = _sp()
    if request.method != "POST":
        abort(405)  # the IdP posts; a GET here is a wrong link, never a login
    try:
        login = take_response(sp, services().store.engine, request.form.get("SAMLResponse"), binding_value(sp))
    except Refused as refusal:
        return _failed(refusal.reason)
    person = services().identity.find_person(login.subject)
    name = login.name or (person.name if person else "") or login.subject[:8]
    log_in(Person(login.subject, name), name_from_idp=True)
    session[SAML_KEY] = {
        "idp": login.idp, "name_id": login.name_id, "format": login.name_id_format, "index": login.session_index,
    }
    session["saml_key"] = slo.saml_key("citizen", login.idp, login.name_id, login.session_index)
    return redirect(safe_next(login.target) or url_for("inbox.inbox"), code=303)



@bp.route("/saml/slo/", methods=["GET", "POST"])
@csrf_exempt
def saml_slo() -> Response:
    return single_logout(_sp(), "citizen", url_for("auth.logged_out"))
