"""The mottagning's case list (CONTRACT section 6), filtered by links, and searched by a form.

Every list shown is one access-log row naming the cases (and so the personnummer) it shows, in the
transaction that read them. The status and "mine"/"late" filters are links (GET); the search by
ärendenummer or personnummer is a POST, so that a citizen's personnummer never stands in an
address, where proxy and server logs and the browser's history would keep it (docs/security.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Connection

from forms.booking import kallelse
from forms.identity.personnummer import InvalidPersonnummer, normalize
from forms.identity.providers import IdentityProvider
from forms.platform.links import links_along, links_with_query
from forms.platform.rendering import local_time
from forms.platform.security import STALE_PAGE
from forms.platform.services import services
from forms.platform.workdays import due_text
from forms.staff import accesslog, casework, concerns, rules
from forms.staff.casework import Filters
from forms.staff.reads import logs_reads, request_transaction
from forms.staff.web import bp, keeps_typing, me, render, role_text, roles_at, token_was_stale
from forms.store.engine import writing
from sitegen.content.digits import ascii_int

SEARCH_FIELD = "sok"
# A row's kallelse in a few words: the case page's line, shortened (staff/case.html).
KALLELSE_TEXTS = {
    kallelse.OPEN: "Kallelse: inte bokad ännu",
    kallelse.BOOKED: "Kallelse: tid bokad",
    kallelse.CANCELLED_TIME: "Kallelse: tiden avbokad",
}
NOTHING = "Skriv ett ärendenummer eller ett personnummer att söka på."
NOT_EITHER = "Skriv ett ärendenummer som HV-2026-7KQ2MX eller ett personnummer med 12 siffror, som 19121212-1212."
# What a reference looks like (forms.store.cases.new_reference), typed in any case, with or without dashes.
REFERENCE = re.compile(r"^HV-?(\d{4})-?([2-9A-HJ-NP-Z]{6})$")


def _page_number(raw: str | None) -> int:
    return max(1, min(ascii_int(raw or "1") or 1, 100000))


@bp.get("/personal/<clinic>/arenden/")
@logs_reads
def cases(clinic: str) -> str:
    roles = roles_at(clinic, rules.can_see_cases)
    status = request.args.get("status")
    filters = Filters(
        status=status if status in (*rules.STATUSES, casework.ALL) else None,
        mine=request.args.get("mina") == "1",
        late=request.args.get("sena") == "1",
        page=_page_number(request.args.get("sida")),
    )
    # The page's reads and its access-log row in the request's one transaction (the one that read
    # the staff session): the row names exactly the cases the page shows.
    return _list_page(clinic, roles, filters, request_transaction())


@bp.post("/personal/<clinic>/arenden/")
@keeps_typing
def cases_search(clinic: str) -> tuple[str, int] | str:
    """The mottagning's cases with this ärendenummer, or of this personnummer, of every status."""
    roles = roles_at(clinic, rules.can_see_cases)
    typed = request.form.get(SEARCH_FIELD, "")[:40]
    wanted = typed.strip()
    error = None
    filters = Filters(status=casework.ALL)
    if token_was_stale():
        return _list_page(clinic, roles, Filters(), None, typed=typed, notice=STALE_PAGE.format(button="Sök")), 400
    if not wanted:
        error = NOTHING
    elif (reference := REFERENCE.match(re.sub(r"\s+", "", wanted).upper())) is not None:
        filters = Filters(status=casework.ALL, reference=f"HV-{reference.group(1)}-{reference.group(2)}")
    else:
        try:
            filters = Filters(status=casework.ALL, subject=normalize(wanted))
        except InvalidPersonnummer as invalid:
            error = NOT_EITHER if not re.search(r"\d{6}", wanted) else invalid.sentence
    if error is not None:
        errors = [{"anchor": SEARCH_FIELD, "message": error, "context": None}]
        return _list_page(clinic, roles, Filters(), None, typed=typed, errors=errors), 422
    # A POST has no request transaction of its own (forms.staff.reads): one for the reads and the row.
    return _list_page(clinic, roles, filters, writing(services().store.engine).begin(), typed=typed)


def _list_page(
    clinic: str,
    roles: frozenset[str],
    filters: Filters,
    transaction: AbstractContextManager[Connection] | None,
    *,
    typed: str = "",
    errors: list[dict[str, Any]] | None = None,
    notice: str | None = None,
) -> str:
    """The list page; with a transaction, the cases found and their one access-log row, written in
    it; without (a search with a mistake), the search form alone, reading and logging nothing."""
    svc = services()
    now = svc.now()
    rows: list[casework.Row] = []
    total = 0
    concerning: dict[str, str] = {}
    invited: dict[int, str] = {}
    if transaction is not None:
        with transaction as connection:
            rows, total = casework.list_cases(connection, clinic, me().person.hsa_id, roles, filters, now)
            concerning = concerns.concerned(connection, clinic, (r.reference for r in rows))  # Patientnämnden's
            # Only a message the mottagning sent has a kallelse: the page's ones in one query, none without.
            sent = [r.case_id for r in rows if r.direction == casework.OUT]
            invited = kallelse.booked_of(connection, sent) if sent else {}
            searched = filters.reference or filters.subject
            accesslog.record(
                connection,
                at=now,
                hsa_id=me().person.hsa_id,
                role=role_text(roles),
                clinic=clinic,
                action="list",
                personnummer=filters.subject,
                case_reference=filters.reference,
                detail=(f"sökte på {'ärendenummer' if filters.reference else 'personnummer'}; " if searched else "")
                + f"sida {filters.page}; visade: "
                + " ".join(f"{r.reference}/{r.subject}" for r in rows),
            )
    case_link = links_along("staff.case", "reference", clinic=clinic)
    links = _Links(clinic, filters, roles, total)
    return render(
        "staff/cases.html",
        clinic=clinic,
        rows=[
            _shown(row, case_link, svc.identity, concerning.get(row.reference, ""), invited.get(row.case_id))
            for row in rows
        ],
        filters=filters,
        total=total,
        searched=transaction is not None and bool(filters.reference or filters.subject),
        listed=transaction is not None,
        typed=typed,
        errors=errors or [],
        notice=notice,
        status_links=links.statuses(),
        show_links=links.shows(),
        page_links=links.pages(),
    )


@dataclass(frozen=True, slots=True)
class Link:
    """A filter or page link of the list: its text, its address, and whether it is the one shown."""

    text: str
    href: str
    current: bool


class _Links:
    """The list's filter and page links; after a search, the plain list's, none of them current."""

    def __init__(self, clinic: str, filters: Filters, roles: frozenset[str], total: int) -> None:
        self.clinic = clinic
        self.filters = filters
        self.roles = roles
        self.total = total
        self.with_query = links_with_query("staff.cases", clinic=clinic)
        self.searched = bool(filters.reference or filters.subject)
        self.kept = {} if self.searched else {
            "status": filters.status,
            "mina": "1" if filters.mine else None,
            "sena": "1" if filters.late else None,
        }

    def link(self, **change: Any) -> str:
        """The list with these filters changed (and on its first page unless `sida` is given)."""
        return self.with_query({k: v for k, v in (self.kept | {"sida": None} | change).items() if v})

    def statuses(self) -> list[Link]:
        status = self.filters.status
        shown = not self.searched
        return [
            Link("Öppna", self.link(status=None), shown and status is None),
            *(Link(s, self.link(status=s), shown and status == s) for s in rules.STATUSES),
            Link("Alla", self.link(status=casework.ALL), shown and status == casework.ALL),
        ]

    def shows(self) -> list[Link]:
        mine = self.filters.mine and not self.searched
        shows: list[Link] = []
        if rules.RECEIVER in self.roles:
            shows.append(Link("Alla ärenden", self.link(mina=None), not mine and not self.searched))
            shows.append(Link("Mina ärenden", self.link(mina="1"), mine))
        if self.filters.late and not self.searched:
            shows.append(Link("Även ej försenade", self.link(sena=None), False))
        else:
            shows.append(Link("Bara försenade", self.link(sena="1"), False))
        return shows

    def pages(self) -> list[Link]:
        """Page links of the plain list (a search shows its first page only: one person's cases)."""
        pages = max(1, -(-self.total // casework.PAGE_SIZE))
        if self.searched or pages == 1:
            return []
        page = self.filters.page
        near = [n for n in range(1, pages + 1) if n in (1, pages) or abs(n - page) <= 4]  # and the ends
        return [Link(str(n), self.link(sida=n), n == page) for n in near]


@dataclass(frozen=True, slots=True)
class Shown:
    """One row of the list as the page writes it: the person's name comes from the identity
    provider, which a template cannot ask, so the row's other texts are made beside it."""

    href: str
    eservice_name: str
    reference: str
    status: str
    late: bool
    name: str
    subject: str
    sent: str
    due: str
    handler: str
    direction: str  # "Från invånare" / "Till invånare"
    concerns: str = ""  # at the Patientnämnden unit: the mottagning the case is about
    kallelse: str = ""  # a sent message's kallelse: booked or not, in a few words


def _shown(
    row: casework.Row,
    case_link: Callable[[str], str],
    identity: IdentityProvider,
    concerning: str = "",
    invited: str | None = None,
) -> Shown:
    person = identity.find_person(row.subject)
    return Shown(
        href=case_link(row.reference),
        eservice_name=row.eservice_name,
        reference=row.reference,
        status=row.status,
        late=row.late,
        name=person.name if person else "Okänd",
        subject=row.subject,
        sent=local_time(row.sent_at),
        due=due_text(row.due_at) if row.due_at else "",
        handler=row.handler_name or "Ingen ännu",
        direction=casework.DIRECTION_NAMES.get(row.direction, ""),
        concerns=concerning,
        kallelse=KALLELSE_TEXTS[invited] if invited else "",
    )
