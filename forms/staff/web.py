"""What every staff page stands on: the blueprint, the logged-in staff member, need-to-know, CSRF.

Need-to-know: a mottagning the person has no role at, a page their roles do not open, a case they
may not see: all are 404, exactly as for an address that does not exist, so nothing reveals that
the mottagning's case or page is there. Each such refusal by a logged-in member of staff is
written to the access log ("refused").
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from forms.identity.staff import StaffIdentityProvider, StaffPerson
from forms.platform.audit import security_event
from forms.platform.security import STALE_ELSEWHERE, STALE_TITLE, error_page
from forms.platform.services import services
from forms.staff import accesslog, concerns, directory, session
from forms.staff.reads import close_request_connection, keeps_connection, request_transaction
from forms.staff.rules import ROLE_NAMES

bp = Blueprint("staff", __name__)
bp.teardown_app_request(close_request_connection)

EXTENSION = "hittavard_staff"
TYPED_FIELDS = {"text", "title", "svar", "delsvar", "anteckning", "orsak", "kommentar"}  # shown back after a timeout
OPEN_ENDPOINTS = {"staff.login", "staff.logged_out", "staff.logout", "staff.home"}


@dataclass(frozen=True)
class StaffServices:
    provider: StaffIdentityProvider
    login_url: str | None  # the region's SITHS login in front of the app; None: test login or none


@dataclass(frozen=True)
class Staff:
    person: StaffPerson
    roles: dict[str, frozenset[str]]  # mottagning slug → roles

    def at(self, clinic: str) -> frozenset[str]:
        return self.roles.get(clinic, frozenset())


def staff_services() -> StaffServices:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def current_staff() -> Staff | None:
    if "staff" in g:
        return g.staff  # type: ignore[no-any-return]
    found = None
    current = session.current()
    hsa_id = current.hsa_id
    if hsa_id:
        # Read with the staff session (one statement), unless the session changed hands since
        # (a login in this request, after the request's reads are closed).
        known = current.known
        if current.known_for != hsa_id:
            known = directory.person_and_roles(services().store.engine, hsa_id)
        if known is not None:
            found = Staff(*known)
    g.staff = found
    return found


def me() -> Staff:
    staff = current_staff()
    assert staff is not None
    return staff


def refuse(clinic: str = "", what: str = "") -> NoReturn:
    """404, logged to the access log when someone is logged in, and as a security event."""
    staff = current_staff()
    security_event("authorisation_failure", what=f"staff:{what or request.endpoint}")
    if staff is not None:
        row = {
            "at": services().now(),
            "hsa_id": staff.person.hsa_id,
            "role": ",".join(sorted(staff.at(clinic))),
            "clinic": clinic[:200] if clinic in staff.roles else "",
            "action": "refused",
            "detail": request.path[:300],
        }
        if g.get("staff_connection") is not None:
            with request_transaction() as connection:  # a logged read's: the row goes in it
                accesslog.record(connection, **row)
        else:
            accesslog.append(services().store.engine, **row)
    abort(404)


def roles_at(clinic: str, needs: Callable[[frozenset[str]], bool]) -> frozenset[str]:
    """The person's roles at `clinic` if they pass `needs`; otherwise refuse (404)."""
    roles = me().at(clinic)
    if not roles or not needs(roles):
        refuse(clinic)
    return roles


def has_any(*wanted: str) -> Callable[[frozenset[str]], bool]:
    return lambda roles: bool(roles & set(wanted))


def role_text(roles: Collection[str]) -> str:
    return ",".join(sorted(roles))


def log_here(clinic: str, roles: Collection[str], action: str, **fields: object) -> None:
    """One access-log row, in its own transaction, for what the logged-in staff member does now at
    `clinic` in these roles (a search, an export, a conflict, a day of the tidbok)."""
    svc = services()
    accesslog.append(
        svc.store.engine, at=svc.now(), hsa_id=me().person.hsa_id, role=role_text(roles), clinic=clinic,
        action=action, **fields,
    )


class ClinicNames:
    """Mottagning slug → name, looked up when a page asks: a page names one or a few mottagningar
    of a region's thousand, and a dict of all of them was built on every staff request."""

    def __init__(self, clinics: Mapping[str, Any], units: Mapping[str, str]) -> None:
        self._clinics = clinics
        self._units = units  # staff units without a contact page: Patientnämnden

    def get(self, slug: str, default: str | None = None) -> str | None:
        found = self._clinics.get(slug)
        return found.name if found is not None else self._units.get(slug, default)  # type: ignore[no-any-return]


def render(template: str, **context: Any) -> str:
    staff = current_staff()
    clinic = context.get("clinic")
    return render_template(
        template,
        staff=staff,
        clinic_roles=staff.at(clinic) if staff and clinic else frozenset(),
        clinic_names=ClinicNames(services().content.clinics, concerns.unit_names()),
        role_names=ROLE_NAMES,
        staff_csrf=session.csrf_token,
        **context,
    )


@bp.before_request
def before() -> Response | tuple[str, int] | None:
    """Timeouts, then the staff CSRF check, then: logged in, or to the login."""
    response = _before()
    if response is not None or not keeps_connection():
        close_request_connection()  # what the request reads first has been read: no reads stay open
    return response


def _before() -> Response | tuple[str, int] | None:
    reason = session.timed_out()
    if reason is not None:
        security_event("session_timeout", reason=reason, kind="staff")
        unsaved = [v.strip() for k, v in request.form.items() if k in TYPED_FIELDS and v.strip()]
        if request.method == "POST" and unsaved:
            # What was typed into an ended session is shown back (to the one who typed it) so it
            # can be copied; nothing of it is stored.
            page = render(
                "staff/login.html",
                error=None,
                typed="",
                demo_staff=[],
                timed_out=True,
                timed_out_reason=reason,
                stale_notice=None,
                unsaved=unsaved[:20],
            )
            return page, 401
        return redirect(url_for("staff.login", utloggad=reason), code=303)
    if request.method == "POST":
        state = session.csrf_state(request.form.get("csrf_token"))
        if state == "expired" and request.endpoint in STALE_KEEPS:
            g.staff_csrf_stale = True
        elif state != "ok":
            security_event("csrf_failure", reason=state, kind="staff")
            if state == "expired":
                return error_page(400, title=STALE_TITLE, text=STALE_ELSEWHERE)
            abort(400)
    if request.endpoint not in OPEN_ENDPOINTS and current_staff() is None:
        return redirect(url_for("staff.login"), code=303)
    return None


# POST views that show the page again with what was typed when only the token's time ran out.
STALE_KEEPS: set[str] = set()


def keeps_typing(view: Callable[..., Any]) -> Callable[..., Any]:
    STALE_KEEPS.add(f"staff.{view.__name__}")
    return view


def token_was_stale() -> bool:
    return bool(g.get("staff_csrf_stale", False))


@bp.after_request
def after(response: Response) -> Response:
    close_request_connection()  # a view that did not use it (an error): before the session is saved
    return session.save(response)
