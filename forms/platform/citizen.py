"""The logged-in citizen: who they are, and whom they act for right now.

The session keeps only the personnummer of who logged in and of the child they chose; names and
guardianship are looked up through the identity provider on every request, so a guardianship that
ends, or a child who turns 13, takes effect at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import current_app, redirect, request, session, url_for
from werkzeug.exceptions import HTTPException

from forms.identity.providers import Person, children_to_act_for
from forms.platform.audit import security_event
from forms.platform.services import services
from forms.platform.sessions import ServerSession, here, mark_login
from forms.store.cases import Owner

F = TypeVar("F", bound=Callable[..., Any])

SESSION_ACTOR = "actor"
SESSION_ACTING_FOR = "acting_for"
SESSION_ACTOR_NAME = "actor_name"  # the name an IdP vouched for with the personnummer (SAML)
_CACHE = "hittavard.citizen"  # per request (not flask.g, which a test client may keep across requests)


@dataclass(frozen=True)
class Citizen:
    actor: Person
    subject: Person
    children: list[Person] = field(default_factory=list)  # the children they may act for today

    @property
    def acting_for_child(self) -> bool:
        return self.subject.personnummer != self.actor.personnummer

    @property
    def owner(self) -> Owner:
        return Owner(actor=self.actor.personnummer, subject=self.subject.personnummer)

    def may_see(self, subject: str) -> bool:
        """Whether cases about `subject` are theirs to see: their own, or a child's they act for."""
        return subject == self.actor.personnummer or any(c.personnummer == subject for c in self.children)


def current_citizen() -> Citizen | None:
    """The citizen of this request, or None when nobody is logged in."""
    if _CACHE in request.environ:
        return request.environ[_CACHE]  # type: ignore[no-any-return]
    citizen = None
    number = session.get(SESSION_ACTOR)
    svc = services()
    actor = svc.identity.find_person(number) if isinstance(number, str) else None
    vouched = session.get(SESSION_ACTOR_NAME)
    if isinstance(number, str) and isinstance(vouched, str):
        # The IdP's name wins; a personnummer the identity data does not know logs in too.
        actor = Person(number, vouched)
    if actor is not None:
        children = children_to_act_for(svc.identity, actor, svc.today())
        chosen = session.get(SESSION_ACTING_FOR)
        subject = next((child for child in children if child.personnummer == chosen), actor)
        citizen = Citizen(actor=actor, subject=subject, children=children)
    request.environ[_CACHE] = citizen
    return citizen


def log_in(person: Person, name_from_idp: bool = False) -> None:
    """Start a fresh session for a person whose identity has been verified.

    The old session (and its token) is thrown away, so a cookie planted or copied before login
    never becomes a logged-in one. A production login calls this after its provider answers.
    """
    current = session._get_current_object()  # type: ignore[attr-defined]
    if isinstance(current, ServerSession):
        current.regenerate()
    else:  # pragma: no cover - the app always installs ServerSessionInterface
        session.clear()
    session[SESSION_ACTOR] = person.personnummer
    if name_from_idp:
        session[SESSION_ACTOR_NAME] = person.name
    mark_login(session, services().now())
    request.environ.pop(_CACHE, None)
    security_event("login")


def log_out() -> None:
    """End the session server-side: the cookie, wherever it was copied, opens nothing after this."""
    security_event("logout")
    current = session._get_current_object()  # type: ignore[attr-defined]
    if isinstance(current, ServerSession):
        current.destroy()
    else:  # pragma: no cover
        session.clear()
    request.environ.pop(_CACHE, None)


def act_for(child: Person | None) -> None:
    """Act for a child (already checked to be theirs), or for oneself with None."""
    if child is None:
        session.pop(SESSION_ACTING_FOR, None)
    else:
        session[SESSION_ACTING_FOR] = child.personnummer
    request.environ.pop(_CACHE, None)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a page of the forms app; never another site (no open redirect).

    The path must also be one of the app's own addresses as written (a GET route, not one it would
    redirect or answer 404): a mistyped or made-up `next` gets the default page, not "Sidan finns inte".
    """
    if not target or "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(services().prefix):
        return None
    try:
        current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:  # NotFound, MethodNotAllowed, and RequestRedirect (a slash missing)
        return None
    return target


def login_required(view: F) -> F:
    """Send anyone not logged in to the login, remembering where they were going."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_citizen() is None:
            target = here() if request.method == "GET" else None
            return redirect(url_for("auth.login", next=target), code=303)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
