"""The staff's SAML service provider (SITHS through the region's staff IdP), under
`{forms_url}personal/saml/`: the HSA-id picks the person in the staff directory (their roles stay
the app's), the medarbetaruppdrag is kept with the session and written in every access-log row.

Its own blueprint: the staff blueprint's CSRF check and login redirect must not run for the IdP's
POST; the staff session is saved here after each request as the staff blueprint does.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for
from werkzeug.wrappers import Response

from forms.identity.saml import slo
from forms.identity.saml.response import take_response
from forms.identity.saml.sp import ServiceProvider
from forms.identity.saml.xmlguard import Refused
from forms.platform.audit import security_event
from forms.platform.samlweb import TITLE, binding_value, metadata, provider, refused, single_logout, start_login
from forms.platform.security import csrf_exempt
from forms.platform.services import services
from forms.staff import accesslog, directory, session
from forms.staff.web import render, staff_services

bp = Blueprint("staff_saml", __name__)


def _sp() -> ServiceProvider:
    found = provider("staff")
    if found is None:
        abort(404)
    return found


def _failed(reason: str) -> tuple[str, int]:
    page = render("staff/saml_failed.html", title=TITLE, again=url_for("staff.login"))
    return refused(reason, "staff", page)


@bp.after_request
def save(response: Response) -> Response:
    return session.save(response)


@bp.get("/personal/saml/metadata/")
def saml_metadata() -> Response:
    return metadata(_sp())


@bp.get("/personal/saml/logga-in/")
def saml_login() -> Response | tuple[str, int]:
    try:
        return start_login(_sp(), url_for("staff.home"))
    except Refused as refusal:  # the IdP metadata no longer verifies (forms.identity.saml.metadata)
        return _failed(refusal.reason)


@bp.route("/personal/saml/acs/", methods=["GET", "POST"])
@csrf_exempt
def saml_acs() -> Response | tuple[str, int]:
    sp = _sp()
    if request.method != "POST":
        abort(405)  # the IdP posts; a GET here is a wrong link, never a login
    svc = services()
    try:
        login = take_response(sp, svc.store.engine, request.form.get("SAMLResponse"), binding_value(sp))
    except Refused as refusal:
        return _failed(refusal.reason)
    person = staff_services().provider.find_staff(login.subject)
    engine = svc.store.engine
    if person is None:
        return _failed("unknown_hsa_id")
    directory.remember(engine, person)
    if not directory.roles_of(engine, person.hsa_id):
        accesslog.append(engine, at=svc.now(), hsa_id=person.hsa_id, action="login_refused",
                         commission_hsa_id=login.commission_hsa_id)
        return _failed("no_roles")
    session.log_in(person.hsa_id)
    current = session.current()
    current.data["commission_hsa_id"] = login.commission_hsa_id
    current.data["saml"] = {
        "idp": login.idp, "name_id": login.name_id, "format": login.name_id_format, "index": login.session_index,
    }
    current.data["saml_key"] = slo.saml_key("staff", login.idp, login.name_id, login.session_index)
    g.pop("staff", None)
    security_event("login", kind="staff", via="saml")
    accesslog.append(engine, at=svc.now(), hsa_id=person.hsa_id, action="login")
    return redirect(url_for("staff.home"), code=303)



@bp.route("/personal/saml/slo/", methods=["GET", "POST"])
@csrf_exempt
def saml_slo() -> Response:
    return single_logout(_sp(), "staff", url_for("staff.logged_out"))
