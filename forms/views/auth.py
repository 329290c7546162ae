"""Logging in and out, and choosing whom to act for.

The test login ("Testinloggning") exists only when the configuration turns it on; otherwise a
citizen who must log in is sent to the production login (FORMS_LOGIN_URL), or told that login is
not available. It asks for a personnummer from the demo identity data, checks its Luhn digit, and
starts a fresh session: nothing else about the citizen is ever put in the browser.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from forms.citizen import act_for, current_citizen, log_in, log_out, login_required, safe_next
from forms.personnummer import InvalidPersonnummer, normalize
from forms.services import services

bp = Blueprint("auth", __name__)

NOT_FOUND = "Det finns ingen testperson med det personnumret. Välj en av testpersonerna i listan."
CHOOSE_SUBJECT = "Välj vem du vill använda e-tjänsterna för"


def _after_login(target: str | None) -> Response:
    citizen = current_citizen()
    if citizen is not None and citizen.children:
        return redirect(url_for("auth.choose", next=target), code=303)
    return redirect(target or url_for("inbox.inbox"), code=303)


@bp.route("/logga-in/", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    svc = services()
    target = safe_next(request.values.get("next"))
    if not svc.settings.test_login:
        if svc.login_url:
            return redirect(svc.login_url, code=303)
        return render_template("forms/login_unavailable.html"), 503
    error = None
    typed = ""
    if request.method == "POST":
        typed = request.form.get("personnummer", "")[:40]
        try:
            number = normalize(typed)
        except InvalidPersonnummer as err:
            error = err.reason
        else:
            person = svc.identity.find_person(number)
            if person is None:
                error = NOT_FOUND
            else:
                log_in(person)
                return _after_login(target)
    demo_people = list(getattr(svc.identity, "people", lambda: [])())
    html = render_template("forms/login.html", error=error, typed=typed, next=target, demo_people=demo_people)
    return html


@bp.post("/logga-ut/")
def logout() -> Response:
    log_out()
    return redirect(url_for("auth.logged_out"), code=303)


@bp.get("/utloggad/")
def logged_out() -> str:
    return render_template("forms/logged_out.html")


@bp.route("/ombud/", methods=["GET", "POST"])
@login_required
def choose() -> Response | str:
    """Choose whether to use the e-services for oneself or for a child under 13."""
    citizen = current_citizen()
    assert citizen is not None
    target = safe_next(request.values.get("next"))
    if not citizen.children:
        return redirect(target or url_for("inbox.inbox"), code=303)
    error = None
    if request.method == "POST":
        chosen = request.form.get("subject", "")
        if chosen == "self":
            act_for(None)
            return redirect(target or url_for("inbox.inbox"), code=303)
        if chosen:
            child = next((c for c in citizen.children if c.personnummer == chosen), None)
            if child is None:
                abort(404)  # not a child of theirs (or no longer under 13): nothing to reveal
            act_for(child)
            return redirect(target or url_for("inbox.inbox"), code=303)
        error = CHOOSE_SUBJECT
    return render_template("forms/choose.html", error=error, next=target, current=citizen.subject.personnummer)
