"""Staff login, logout and the choice of mottagning, under `{forms_url}personal/`.

The test login ("Testinloggning för personal") exists only with FORMS_TEST_LOGIN=1: one text field
for an HSA-id from the demo file's `staff:` list. In production FORMS_STAFF_LOGIN_URL names the
region's SITHS login, which verifies the card and hands the HSA-id to the app's callback; that
callback calls `session.log_in(hsa_id)` after the `StaffIdentityProvider` has answered (see
docs/operators.md). Without either, the page says that staff login is not available.
"""

from __future__ import annotations

from flask import g, redirect, request, url_for
from werkzeug.wrappers import Response

from forms.platform.audit import security_event
from forms.platform.samlweb import logout_redirect, provider
from forms.platform.security import stale_notice
from forms.platform.services import services
from forms.staff import accesslog, concerns, directory, session
from forms.staff.rules import ADMIN, AUDITOR, MANAGER, ROLE_NAMES, ROLES, can_see_cases
from forms.staff.web import bp, current_staff, keeps_typing, render, roles_at, staff_services, token_was_stale

UNKNOWN = "Det finns ingen personal med det HSA-id:t. Välj ett av HSA-id:na i listan."
NO_ROLES = "Du har ingen roll på någon mottagning. Kontakta mottagningens lokala administratör."
EMPTY = "Skriv ditt HSA-id."


def _start(clinic: str) -> Response:
    roles = current_staff().at(clinic) if current_staff() else frozenset()  # type: ignore[union-attr]
    if can_see_cases(roles):
        return redirect(url_for("staff.cases", clinic=clinic), code=303)
    if ADMIN in roles:
        return redirect(url_for("staff.standard_list", clinic=clinic), code=303)
    if AUDITOR in roles:
        return redirect(url_for("staff.log", clinic=clinic), code=303)
    if MANAGER in roles:
        return redirect(url_for("staff.followup_page", clinic=clinic), code=303)
    return redirect(url_for("staff.choose"), code=303)


def _landing() -> Response:
    staff = current_staff()
    assert staff is not None
    if len(staff.roles) == 1:
        return _start(next(iter(staff.roles)))
    return redirect(url_for("staff.choose"), code=303)


@bp.get("/personal/")
def home() -> Response:
    if current_staff() is None:
        return redirect(url_for("staff.login"), code=303)
    return _landing()


def _demo_staff() -> list[tuple[str, str, str]]:
    listing = getattr(staff_services().provider, "everyone", None)
    if listing is None:
        return []
    engine = services().store.engine
    names = {slug: clinic.name for slug, clinic in services().content.clinics.items()} | concerns.unit_names()
    people = []
    for person in listing():
        roles = directory.roles_of(engine, person.hsa_id)
        # Role names as the Roller page writes them, never the slugs the code keeps.
        where = "; ".join(
            f"{names.get(c, c)}: {', '.join(ROLE_NAMES[role] for role in ROLES if role in r)}"
            for c, r in sorted(roles.items())
        )
        people.append((person.name, person.hsa_id, where))
    return people


@bp.route("/personal/logga-in/", methods=["GET", "POST"])
@keeps_typing
def login() -> Response | str | tuple[str, int]:
    svc = services()
    if not svc.settings.test_login:
        if provider("staff") is not None:
            return redirect(url_for("staff_saml.saml_login"), code=303)
        if staff_services().login_url:
            return redirect(staff_services().login_url or "", code=303)
        return render("staff/login_unavailable.html"), 503
    error = None
    typed = request.form.get("hsa_id", "")[:60] if request.method == "POST" else ""
    timed_out = request.args.get("utloggad") in ("idle", "absolute")
    if request.method == "POST" and token_was_stale():
        g.stale_notice = stale_notice("Logga in")
    elif request.method == "POST":
        hsa_id = typed.strip().upper()
        person = staff_services().provider.find_staff(hsa_id) if hsa_id else None
        engine = svc.store.engine
        if not hsa_id:
            error = EMPTY
        elif person is None:
            error = UNKNOWN
        else:
            directory.remember(engine, person)
            if not directory.roles_of(engine, person.hsa_id):
                error = NO_ROLES
        if error is not None:
            security_event("login_failed", reason="staff", kind="staff")
            if person is not None:
                accesslog.append(engine, at=svc.now(), hsa_id=person.hsa_id, action="login_refused")
        else:
            assert person is not None
            session.log_in(person.hsa_id)
            g.pop("staff", None)
            security_event("login", kind="staff")
            accesslog.append(engine, at=svc.now(), hsa_id=person.hsa_id, action="login")
            return _landing()
    return render(
        "staff/login.html",
        error=error,
        typed=typed,
        demo_staff=_demo_staff(),
        timed_out=timed_out,
        timed_out_reason=request.args.get("utloggad"),
        stale_notice=g.get("stale_notice"),
        unsaved=[],
    )


@bp.post("/personal/logga-ut/")
def logout() -> Response:
    staff = current_staff()
    if staff is not None:
        accesslog.append(services().store.engine, at=services().now(), hsa_id=staff.person.hsa_id, action="logout")
    saml = session.current().data.get("saml")
    session.log_out()
    single_logout = logout_redirect("staff", saml)
    if single_logout is not None:
        return single_logout
    return redirect(url_for("staff.logged_out"), code=303)


@bp.get("/personal/utloggad/")
def logged_out() -> str:
    return render("staff/logged_out.html")


@bp.get("/personal/mottagningar/")
def choose() -> str:
    staff = current_staff()
    assert staff is not None
    names = {slug: clinic.name for slug, clinic in services().content.clinics.items()} | concerns.unit_names()
    clinics = sorted(staff.roles, key=lambda slug: names.get(slug, slug))
    return render("staff/choose.html", clinics=clinics)


@bp.get("/personal/<clinic>/")
def clinic_start(clinic: str) -> Response:
    roles_at(clinic, bool)
    return _start(clinic)
