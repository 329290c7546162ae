"""What Omboka and Avboka tell the citizen about the booking they are changing.

Each step of those journeys names the booking ("Du ändrar: Läkarbesök, torsdag 10 december 2026
kl. 09.40, Storgårdens vårdcentral"), since a citizen with several times must not move or cancel
the wrong one; and the rebooking's summary warns when the new time is so near that it cannot be
changed again here (the time type's cancel_hours), which the citizen would otherwise learn only
by trying.
"""

from __future__ import annotations

import datetime

from forms.booking import common, times
from forms.booking.interface import Booking


def what(booking: Booking) -> str:
    """'Läkarbesök, torsdag 10 december 2026 kl. 09.40, Storgårdens vårdcentral'."""
    return f"{booking.time_type.name}, {times.in_words(booking.start)}, {common.clinic_name(booking.clinic)}"


def too_near(booking: Booking, new_start: datetime.datetime, now: datetime.datetime) -> str | None:
    """The summary's warning when the new time could no longer be rebooked or cancelled here."""
    if times.may_cancel(booking.time_type, new_start, now):
        return None
    phone = common.clinic_phone(booking.clinic)
    call = f"ringa mottagningen{f' på {phone}' if phone else ''}"
    return (
        f"Den nya tiden är mindre än {booking.time_type.cancel_hours} timmar bort. Efter ombokningen kan du inte "
        f"omboka eller avboka den här på webben. Behöver du ändra den igen får du {call}."
    )


REMINDER_DROPPED = "Påminnelsen dagen före som du hade valt skickas inte, eftersom den nya tiden är i dag."
