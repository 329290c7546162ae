"""Logging in and out, and choosing whom to act for.

The test login ("Testinloggning") exists only when the configuration turns it on; otherwise a
citizen who must log in is sent to the production login (FORMS_LOGIN_URL), or told that login is
not available. It asks for a personnummer from the demo identity data, checks its Luhn digit, and
starts a fresh session: nothing else about the citizen is ever put in the browser.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from forms.account.saml_views import SAML_KEY
from forms.identity.personnummer import InvalidPersonnummer, normalize
from forms.identity.providers import children_to_act_for
from forms.platform.audit import security_event
from forms.platform.citizen import act_for, current_citizen, log_in, log_out, login_required, safe_next
from forms.platform.samlweb import logout_redirect, provider
from forms.platform.security import keeps_typing, stale_notice, token_was_stale
from forms.platform.services import services

bp = Blueprint("auth", __name__)

NOT_FOUND = "Det finns ingen testperson med det personnumret. Välj en av testpersonerna i listan."
CHOOSE_SUBJECT = "Välj vem du vill använda e-tjänsterna för."


def _after_login(target: str | None) -> Response:
    """Back to where the citizen was going, acting for themselves.

    A guardian is not stopped by a question first: like in 1177, one starts as oneself, and every
    page shows for whom one acts, with "Byt person" to act for a child instead.
    """
    return redirect(target or url_for("inbox.inbox"), code=303)


def _before_login(target: str | None) -> str:
    """Where the login's "Tillbaka" leads: the contact page of the e-service or tidbok the citizen was
    opening (`{forms_url}{slug}/…`), else the site's front page; never back into the login."""
    svc = services()
    if target:
        slug = target.removeprefix(svc.prefix).split("/", 1)[0]
        if slug in svc.content.clinics:
            return f"{svc.site_root}mottagningar/{slug}/"
    return str(svc.site_root)


@bp.route("/logga-in/", methods=["GET", "POST"])
@keeps_typing
def login() -> Response | str | tuple[str, int]:
    svc = services()
    target = safe_next(request.values.get("next"))
    if not svc.settings.test_login:
        if provider("citizen") is not None:
            return redirect(url_for("saml.saml_login", next=target), code=303)
        if svc.login_url:
            return redirect(svc.login_url, code=303)
        return render_template("forms/login_unavailable.html"), 503
    error = None
    typed = ""
    if request.method == "POST":
        typed = request.form.get("personnummer", "")[:40]
        if token_was_stale():
            g.stale_notice = stale_notice("Logga in")
            return render_template(
                "forms/login.html", error=None, typed=typed, next=target, demo_people=_demo_people(),
                back_url=_before_login(target),
            )
        try:
            number = normalize(typed)
        except InvalidPersonnummer as err:
            error = err.sentence
            security_event("login_failed", reason="invalid_personnummer")
        else:
            person = svc.identity.find_person(number)
            if person is None:
                error = NOT_FOUND
                security_event("login_failed", reason="unknown_person")
            else:
                log_in(person)
                return _after_login(target)
    html = render_template(
        "forms/login.html", error=error, typed=typed, next=target, demo_people=_demo_people(),
        back_url=_before_login(target),
    )
    return html


def _demo_people() -> list[tuple[str, str, str]]:
    """(name, personnummer, what this test person shows) for the test login page."""
    svc = services()
    listing = getattr(svc.identity, "people", None)
    if listing is None:
        return []
    today = svc.today()
    people = []
    for person in listing():
        children = children_to_act_for(svc.identity, person, today)
        age = person.age_on(today)
        if children:
            note = "vårdnadshavare för " + " och ".join(child.name for child in children)
        elif age < 18:
            note = f"{age} år"
        else:
            note = ""
        people.append((person.name, person.personnummer, note))
    return people


@bp.post("/logga-ut/")
@keeps_typing  # a stale token from this session's own page: logging out is still what was asked
def logout() -> Response:
    saml = session.get(SAML_KEY)
    log_out()
    single_logout = logout_redirect("citizen", saml)
    if single_logout is not None:
        return single_logout
    return redirect(url_for("auth.logged_out"), code=303)


@bp.get("/utloggad/")
def logged_out() -> str:
    return render_template("forms/logged_out.html")


@bp.route("/ombud/", methods=["GET", "POST"])
@keeps_typing
@login_required
def choose() -> Response | str:
    """Choose whether to use the e-services for oneself or for a child under 13."""
    citizen = current_citizen()
    assert citizen is not None
    target = safe_next(request.values.get("next"))
    if not citizen.children:
        return redirect(target or url_for("inbox.inbox"), code=303)
    error = None
    if request.method == "POST" and token_was_stale():
        g.stale_notice = stale_notice("Fortsätt")
        chosen = request.form.get("subject", "")
        current = chosen if chosen != "self" else citizen.actor.personnummer
        return render_template(
            "forms/choose.html", error=None, next=target, current=current, back_url=target or url_for("inbox.inbox")
        )
    if request.method == "POST":
        chosen = request.form.get("subject", "")
        if chosen == "self":
            act_for(None)
            return redirect(target or url_for("inbox.inbox"), code=303)
        if chosen:
            child = next((c for c in citizen.children if c.personnummer == chosen), None)
            if child is None:
                security_event("authorisation_failure", what="act_for")
                abort(404)  # not a child of theirs (or no longer under 13): nothing to reveal
            act_for(child)
            return redirect(target or url_for("inbox.inbox"), code=303)
        error = CHOOSE_SUBJECT
    return render_template(
        "forms/choose.html", error=error, next=target, current=citizen.subject.personnummer,
        back_url=target or url_for("inbox.inbox"),  # the page "Byt person" was chosen on
    )
