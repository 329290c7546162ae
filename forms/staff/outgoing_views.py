""""Nytt meddelande till invånare": the page where staff start a case to a citizen (section 9).

Everything goes by POST, so the personnummer is never in an address; choosing a mall fills the
subject and text on the same page (and the kallelse and "Be invånaren svara" the mall carries) and
keeps what else was typed. A mall's text that promises a booking link is not sent without the
kallelse it carries, or any other (a message promising a link that is not there). An invalid
personnummer, one the identity provider does not know, or a missing subject or text shows the page
again with a clear message and everything typed kept. A mall of another mottagning is 404. After
sending, the staff member lands on the case page, whose one renderer writes the read row
(forms.staff.case_views).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, redirect, request, url_for
from werkzeug.wrappers import Response

from forms.booking import common as booking
from forms.identity.personnummer import InvalidPersonnummer, normalize
from forms.platform.services import services
from forms.staff import outgoing, rules, standard
from forms.staff.outgoing import Message
from forms.staff.web import bp, keeps_typing, log_here, me, refuse, render, roles_at, token_was_stale
from forms.store.db import MessageTemplate
from sitegen.content.digits import ascii_int

UNKNOWN = "Vi hittar ingen invånare med det personnumret. Kontrollera att det är rätt skrivet."
FIELDS = ("personnummer", "amne", "text", "mall", "kallelse", "svar", "key")
STALE = "Sidan hade varit öppen länge. Kontrollera det du skrev och tryck på Skicka igen."


def time_types(clinic: str) -> list[Any]:
    """The time types a kallelse may invite to: every type of the mottagning's tidbok, offered on
    the web or not (a kallelse lets the invited citizen book it)."""
    try:
        return list(booking.tidbok().time_types(clinic))
    except KeyError:  # pragma: no cover - no tidbok installed
        return []


def _page(clinic: str, typed: dict[str, str], errors: list[dict[str, Any]], status: int = 200) -> tuple[str, int]:
    engine = services().store.engine
    return render(
        "staff/message_new.html",
        clinic=clinic,
        typed=typed,
        errors=errors,
        mallar=standard.listing(engine, clinic, model=MessageTemplate),
        time_types=time_types(clinic),
    ), status


@bp.route("/personal/<clinic>/meddelande/", methods=["GET", "POST"])
@keeps_typing
def message_new(clinic: str) -> Response | tuple[str, int]:
    roles = roles_at(clinic, rules.can_see_cases)
    if request.method == "GET":
        return _page(clinic, dict.fromkeys(FIELDS, "") | {"key": secrets.token_urlsafe(24)}, [])
    form = request.form
    typed = {name: form.get(name, "")[:6000] for name in FIELDS}
    typed["svar"] = "1" if typed["svar"] == "1" else ""
    if len(typed["key"]) < 20:
        typed["key"] = secrets.token_urlsafe(24)
    if form.get("do") == "mall":
        return _use_mall(clinic, typed)
    if token_was_stale():
        return _page(clinic, typed, [{"anchor": "personnummer", "message": STALE, "context": None}], 400)
    errors, personnummer = _check(clinic, roles, typed)
    if errors:
        return _page(clinic, typed, errors, 422)
    svc = services()
    reference = outgoing.send(
        svc.store.engine,
        key=typed["key"],
        clinic=clinic,
        clinic_name=svc.content.clinics[clinic].name if clinic in svc.content.clinics else clinic,
        message=Message(
            personnummer, typed["amne"].strip(), typed["text"].replace("\r\n", "\n").strip(), typed["svar"] == "1",
            typed["kallelse"] or None,
        ),
        me=me().person,
        roles=roles,
        now=svc.now(),
        secret=current_app.secret_key or "",
    )
    return redirect(url_for("staff.case", clinic=clinic, reference=reference, klar="meddelande"), code=303)


def _use_mall(clinic: str, typed: dict[str, str]) -> tuple[str, int]:
    """Fill the subject, text, kallelse and "Be invånaren svara" from the chosen mall (the
    mottagning's own only: else 404); the rest typed is kept."""
    chosen = ascii_int(typed["mall"]) if typed["mall"] else None
    if chosen is None:
        error = {"anchor": "mall", "message": "Välj en mall.", "context": None}
        return _page(clinic, typed, [error], 422)
    found = standard.get(services().store.engine, clinic, chosen, model=MessageTemplate)
    if not isinstance(found, MessageTemplate) or found.retired:
        refuse(clinic, "mall")
    filled = typed | {"amne": found.title, "text": found.text}
    # What the mall carries is preselected (a type since removed from the tidbok is not): the sender
    # who forgot to choose the kallelse sent "Boka en tid med länken nedan" with no link.
    if found.kallelse and found.kallelse in {t.id for t in time_types(clinic)}:
        filled["kallelse"] = found.kallelse
    if found.asks_reply:
        filled["svar"] = "1"
    return _page(clinic, filled, [])


def _check(clinic: str, roles: frozenset[str], typed: dict[str, str]) -> tuple[list[dict[str, Any]], str]:
    """The form's errors, in the page's order, and the personnummer as the identity provider has it."""
    errors: list[dict[str, Any]] = []
    personnummer = ""

    def fail(anchor: str, message: str) -> None:
        errors.append({"anchor": anchor, "message": message, "context": None})

    if not typed["personnummer"].strip():
        fail("personnummer", "Skriv invånarens personnummer.")
    else:
        try:
            personnummer = normalize(typed["personnummer"][:40])
        except InvalidPersonnummer as invalid:
            fail("personnummer", invalid.sentence)
        else:
            if services().identity.find_person(personnummer) is None:
                # Looking someone up is a read of the population register: it is logged too.
                log_here(clinic, roles, "meddelande_nekat", personnummer=personnummer, detail="okänt personnummer")
                fail("personnummer", UNKNOWN)
    subject = typed["amne"].strip()
    if not subject:
        fail("amne", "Skriv ett ämne.")
    elif len(subject) > outgoing.MAX_SUBJECT:
        fail("amne", f"Ämnet får vara högst {outgoing.MAX_SUBJECT} tecken.")
    text = typed["text"].strip()
    if not text:
        fail("text", "Skriv ett meddelande.")
    elif len(text) > outgoing.MAX_TEXT:
        fail("text", f"Meddelandet får vara högst {outgoing.MAX_TEXT} tecken. Korta det.")
    if typed["kallelse"] and typed["kallelse"] not in {t.id for t in time_types(clinic)}:
        fail("kallelse", outgoing.KALLELSE_UNKNOWN)
    elif not typed["kallelse"] and _promised_kallelse(clinic, typed):
        fail("kallelse", LINK_PROMISED)
    return errors, personnummer


LINK_PROMISED = (
    "Mallens text lovar invånaren en länk för att boka tid. Välj vilken typ av tid kallelsen gäller, "
    "eller ändra texten om du inte vill skicka någon kallelse."
)


def _promised_kallelse(clinic: str, typed: dict[str, str]) -> bool:
    """Whether the text is still that of the chosen mall, which carries a kallelse: sent without
    one, the message would promise a booking link that is not there."""
    chosen = ascii_int(typed["mall"]) if typed["mall"] else None
    if chosen is None:
        return False
    found = standard.get(services().store.engine, clinic, chosen, model=MessageTemplate)
    if not isinstance(found, MessageTemplate) or not found.kallelse:
        return False
    return _same_text(found.text, typed["text"])


def _same_text(kept: str, typed: str) -> bool:
    return kept.replace("\r\n", "\n").strip() == typed.replace("\r\n", "\n").strip()
