"""Reading the lokal administratör's tidbok forms: each field checked, each fault a Swedish message.

Pure functions over the posted fields, so every message can be tested without a browser. A form
with faults is shown again with exactly what was typed; only a form without faults is stored.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sitegen.content.digits import DIGITS, ascii_date, ascii_int

REASONS = {"required": "Krävs", "optional": "Frivillig", "none": "Frågas inte"}
# What the citizen may do with a time the mottagning booked for them (CONTRACT section 9).
STAFF_BOOKINGS = {
    "cancel": "Avboka den (och omboka, om ombokning är tillåten)",
    "see": "Se den, men inte avboka eller omboka",
    "hidden": "Inte se den",
}
DAYS = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
CLOCK = re.compile(rf"^([01]{DIGITS}|2[0-3])[:.]([0-5]{DIGITS})$")
MAX_NAME = 200
MAX_INFO = 2000
ID_TAKEN = "Det finns redan en tidstyp med det id:t. Välj ett annat."


@dataclass
class Checked:
    """The values read so far and the faults found, each fault as the error summary wants it."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def fault(self, anchor: str, message: str) -> None:
        self.errors.append({"anchor": anchor, "message": message, "context": None})


def _int(form: Mapping[str, str], name: str, low: int, high: int, message: str, out: Checked,
         optional: bool = False) -> int | None:
    raw = form.get(name, "").strip()
    if not raw and optional:
        return None
    number = ascii_int(raw, 4)
    if number is None or not low <= number <= high:
        out.fault(name, message)
        return None
    return number


def time_type(form: Mapping[str, str], type_id: str | None, taken_ids: set[str]) -> Checked:
    """A time type's fields; `type_id` is the id of the type being edited (None: a new one)."""
    out = Checked()
    if type_id is None:
        new_id = form.get("type_id", "").strip()
        if not new_id:
            out.fault("type_id", "Skriv ett id för tidstypen.")
        elif not ID_PATTERN.match(new_id):
            out.fault("type_id", "Id får bara ha små bokstäver a–z, siffror och bindestreck, högst 60 tecken.")
        elif new_id in taken_ids:
            out.fault("type_id", ID_TAKEN)
        out.values["type_id"] = new_id
    else:
        out.values["type_id"] = type_id
    name = form.get("name", "").strip()
    if not name:
        out.fault("name", "Skriv tidstypens namn.")
    elif len(name) > MAX_NAME:
        out.fault("name", "Namnet får vara högst 200 tecken.")
    out.values["name"] = name
    out.values["minutes"] = _int(form, "minutes", 5, 480, "Skriv längden i minuter, ett heltal från 5 till 480.", out)
    reason = form.get("reason", "")
    if reason not in REASONS:
        out.fault("reason-required", "Välj om bokningen frågar efter en anledning.")
    out.values["reason"] = reason
    min_age = _int(form, "min_age", 0, 130, "Skriv lägsta ålder som ett heltal från 0 till 130, eller lämna tomt.",
                   out, optional=True)
    max_age = _int(form, "max_age", 0, 130, "Skriv högsta ålder som ett heltal från 0 till 130, eller lämna tomt.",
                   out, optional=True)
    if min_age is not None and max_age is not None and min_age > max_age:
        out.fault("max_age", "Högsta ålder får inte vara lägre än lägsta ålder.")
    out.values["min_age"], out.values["max_age"] = min_age, max_age
    out.values["cancel_hours"] = _int(
        form, "cancel_hours", 0, 720, "Skriv antal timmar som ett heltal från 0 till 720.", out
    )
    out.values["rebook"] = form.get("rebook") == "1"
    # Radios, each with one checked, so a form posts both; a post without them (an older form) keeps
    # the contract's defaults: on the web, and the citizen may cancel a time staff booked.
    web = form.get("web", "1")
    if web not in ("1", "0"):
        out.fault("web-1", "Välj om tidstypen kan bokas på webben.")
    out.values["web"] = web != "0"
    staff_bookings = form.get("staff_bookings", "cancel")
    if staff_bookings not in STAFF_BOOKINGS:
        out.fault("staff_bookings-cancel", "Välj vad invånaren får göra med en tid som mottagningen bokat.")
    out.values["staff_bookings"] = staff_bookings
    out.values["max_per_person"] = _int(
        form, "max_per_person", 1, 99, "Skriv högsta antal kommande bokningar som ett heltal från 1 till 99, "
        "eller lämna tomt.", out, optional=True)
    info = form.get("info", "").replace("\r\n", "\n").strip()
    if len(info) > MAX_INFO:
        out.fault("info", "Övrigt får vara högst 2000 tecken.")
    out.values["info"] = info or None
    return out


def _clock(form: Mapping[str, str], name: str, message: str, out: Checked) -> str | None:
    found = CLOCK.match(form.get(name, "").strip())
    if not found:
        out.fault(name, message)
        return None
    return f"{found.group(1)}:{found.group(2)}"


def _date(raw: str, name: str, message: str, out: Checked) -> datetime.date | None:
    found = ascii_date(raw.strip())
    if found is None:
        out.fault(name, message)
    return found


def schedule(form: Mapping[str, str], days: list[str], type_ids: set[str]) -> Checked:
    """One row of the weekly schedule: time type, weekdays, start, end, from, until."""
    out = Checked()
    type_id = form.get("time_type", "")
    if type_id not in type_ids:
        out.fault("time_type", "Välj en tidstyp.")
    out.values["time_type"] = type_id
    chosen = [day for day in DAYS if day in days]
    if not chosen:
        out.fault("day-mån", "Välj minst en veckodag.")
    out.values["days"] = chosen
    start = _clock(form, "start", "Skriv starttiden som tt:mm, till exempel 08:00.", out)
    end = _clock(form, "end", "Skriv sluttiden som tt:mm, till exempel 11:00.", out)
    if start and end and end <= start:
        out.fault("end", "Sluttiden måste vara senare än starttiden.")
    out.values["start"], out.values["end"] = start, end
    valid_from = until = None
    if form.get("from", "").strip():
        valid_from = _date(form["from"], "from", "Skriv första dagen som åååå-mm-dd, till exempel 2026-12-01.", out)
    if form.get("until", "").strip():
        until = _date(form["until"], "until", "Skriv sista dagen som åååå-mm-dd, till exempel 2027-02-28.", out)
    if valid_from and until and until < valid_from:
        out.fault("until", "Sista dagen får inte vara före första dagen.")
    out.values["from"], out.values["until"] = valid_from, until
    return out


def _period(valid_from: datetime.date | None, until: datetime.date | None) -> str:
    if valid_from and until:
        return f" från {valid_from} till {until}"
    if valid_from:
        return f" från {valid_from}"
    return f" till {until}" if until else ""


def schedule_clash(values: Mapping[str, Any], rows: list[Any], names: Mapping[str, str]) -> str | None:
    """Why a checked schedule row cannot be added beside `rows` (the mottagning's, of every type), or None.

    A mottagning takes one booking at a time, so two rows may not give times on the same weekday,
    in overlapping periods, at overlapping clock times, whatever their time types: otherwise a
    Provtagning at 08.30 could be booked inside a Läkarbesök at 08.20. Rows that only touch
    (08:00–09:00 and 09:00–10:00) are fine. The database refuses overlapping bookings anyway; this
    tells the administrator at once instead.
    """
    days = {str(DAYS.index(day)) for day in values["days"]}
    low, high = datetime.date.min, datetime.date.max
    for row in rows:
        if not days & set(row.weekdays):
            continue
        first, last = values["from"] or low, values["until"] or high
        if not (first <= (row.valid_until or high) and (row.valid_from or low) <= last):
            continue
        if not (values["start"] < row.end_time and row.start_time < values["end"]):
            continue
        weekdays = ", ".join(DAYS[int(day)] for day in sorted(row.weekdays))
        return (
            f"Tiderna krockar med schemaraden {names.get(row.type_id, row.type_id)} {weekdays} "
            f"{row.start_time}–{row.end_time}{_period(row.valid_from, row.valid_until)}. Mottagningen tar emot "
            "en bokning i taget, så två schemarader får inte ha tider samma dag och klockslag. "
            "Ändra tiderna, dagarna eller perioden."
        )
    return None


def closed_day(form: Mapping[str, str], closed: set[datetime.date]) -> Checked:
    out = Checked()
    raw = form.get("day", "").strip()
    if not raw:
        out.fault("day", "Skriv dagen som åååå-mm-dd, till exempel 2026-12-24.")
        return out
    day = _date(raw, "day", "Skriv dagen som åååå-mm-dd, till exempel 2026-12-24.", out)
    if day is not None and day in closed:
        out.fault("day", "Den dagen är redan stängd.")
    out.values["day"] = day
    return out
