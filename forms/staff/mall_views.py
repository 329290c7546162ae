"""The lokal administratör's mallar: the starts of messages to citizens (omvänt ärendeflöde).

Kept exactly as the standardsvar are (forms.staff.admin_views, forms.staff.standard), in a table
of their own, so a standardsvar is never offered as a message nor a mall as an answer. A mall may
also carry a kallelse (a time type of the mottagning's tidbok) and "Be invånaren svara", which are
preselected when staff use it: a mall whose text promises a booking link says which.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from forms.staff.admin_views import Kept, edit_page, list_page
from forms.staff.outgoing_views import time_types
from forms.staff.web import bp
from forms.store.db import MessageTemplate

MALLAR = Kept(
    MessageTemplate, "mall", "staff.mall_list", "staff.mall_edit",
    {
        "plural": "Mallar", "new": "Ny mall", "change": "Ändra mall", "saved": "Mallen är sparad.",
        "intro": "Mallar är texter som personalen kan börja ett nytt meddelande till en invånare från.",
        "none": "Mottagningen har inga mallar ännu.", "text_missing": "Skriv mallens text.",
        "retire": "Ta bort mallen (den visas inte längre för personalen)",
        "retired": "Borttagen, visas inte för personalen",
    },
    kallelse_types=time_types,
)


@bp.get("/personal/<clinic>/mallar/")
def mall_list(clinic: str) -> str:
    return list_page(MALLAR, clinic)


@bp.route("/personal/<clinic>/mallar/ny/", methods=["GET", "POST"], defaults={"answer_id": None})
@bp.route("/personal/<clinic>/mallar/<int:answer_id>/", methods=["GET", "POST"])
def mall_edit(clinic: str, answer_id: int | None) -> Response | str | tuple[str, int]:
    return edit_page(MALLAR, clinic, answer_id)
