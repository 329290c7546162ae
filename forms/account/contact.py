""""Mina uppgifter": where the citizen wants notices, at `{forms_url}mina-uppgifter/`.

An e-mail address and a mobile number, both optional, each validated (forms.notices.contacts);
a value that is not valid is shown again with a message, and nothing is saved until both are.
The notices themselves never say more than that there is something to read after logging in.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from forms.notices import contacts
from forms.notices.contacts import Contacts, InvalidContact, display_mobile
from forms.platform.citizen import current_citizen, login_required, safe_next
from forms.platform.security import keeps_typing, stale_notice, token_was_stale
from forms.platform.services import services

bp = Blueprint("contact", __name__)


def _came_from() -> str | None:
    """The page the citizen opened "Mina uppgifter" from, for its "Tillbaka" (never this page itself)."""
    target = safe_next(request.values.get("next"))
    if target is None or urlsplit(target).path == url_for("contact.contact_details"):
        return None
    return target


def _render(typed: dict[str, str], errors: list[dict[str, object]], saved: bool, came_from: str | None) -> str:
    return render_template(
        "forms/contact.html", typed=typed, errors=errors, saved=saved, next=came_from,
        back_url=came_from or url_for("inbox.inbox"),
    )


@bp.route("/mina-uppgifter/", methods=["GET", "POST"])
@keeps_typing
@login_required
def contact_details() -> Response | str | tuple[str, int]:
    citizen = current_citizen()
    assert citizen is not None
    number = citizen.actor.personnummer  # notices go to who logs in, also about a child's case
    engine = services().store.engine
    came_from = _came_from()
    errors: list[dict[str, object]] = []
    if request.method == "POST":
        typed = {"email": request.form.get("email", "")[:300], "mobile": request.form.get("mobile", "")[:40]}
        if token_was_stale():
            g.stale_notice = stale_notice("Spara")
            return _render(typed, [], False, came_from)
        values: dict[str, str | None] = {}
        for key, check in (("email", contacts.normalize_email), ("mobile", contacts.normalize_mobile)):
            try:
                values[key] = check(typed[key])
            except InvalidContact as error:
                errors.append({"anchor": key, "message": str(error), "context": None})
        if errors:
            return _render(typed, errors, False, came_from), 422
        contacts.store(engine, number, Contacts(email=values["email"], mobile=values["mobile"]), services().now())
        return redirect(url_for("contact.contact_details", sparat="1", next=came_from), code=303)
    saved = contacts.load(engine, number) or Contacts()
    typed = {"email": saved.email or "", "mobile": display_mobile(saved.mobile) if saved.mobile else ""}
    return _render(typed, [], request.args.get("sparat") == "1", came_from)
