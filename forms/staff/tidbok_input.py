"""Reading the lokal administratör's tidbok forms: each field checked, each fault a Swedish message.

Pure functions over the posted fields, so every message can be tested without a browser. A form
with faults is shown again with exactly what was typed; only a form without faults is stored.
Times are typed the Swedish ways ("8.00", "8:00", "08.00", "0800") and kept as "08:00"; a time
type's id is made from its name (`type_id_for`), never typed and never shown, since the booking
side's addresses and stored bookings name it and it must not change.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.staff.wording import date_message, day_words, time_message
from sitegen.content.digits import DIGITS, ascii_date, ascii_int

REASONS = {"required": "Krävs", "optional": "Frivillig", "none": "Frågas inte"}
# What the citizen may do with a time the mottagning booked for them (CONTRACT section 9).
STAFF_BOOKINGS = {
    "cancel": "Avboka den (och omboka, om ombokning är tillåten)",
    "see": "Se den, men inte avboka eller omboka",
    "hidden": "Inte se den",
}
DAYS = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
# "8.00", "8:00", "08.00", "08:00", "800", "0800": hours and minutes, with a dot, a colon or nothing.
CLOCK = re.compile(rf"^({DIGITS}{{1,2}})[:.]({DIGITS}{{2}})$|^({DIGITS}{{1,2}})({DIGITS}{{2}})$")
MAX_NAME = 200
MAX_INFO = 2000
MAX_ID = 50  # room for "-2", "-3" … within the column's 100 and an address that stays short
SWEDISH_LETTERS = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def slug_of(name: str) -> str:
    """"Läkarbesök, 20 min" → "lakarbesok-20-min": a–z, 0–9 and hyphens only, as an address wants."""
    folded = unicodedata.normalize("NFKD", name.lower().translate(SWEDISH_LETTERS))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:MAX_ID].strip("-")
    return slug or "tidstyp"


def type_id_for(name: str, taken: set[str]) -> str:
    """The new time type's id: its name's slug, with -2, -3 … when the mottagning already has it."""
    base = slug_of(name)
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def clock(raw: str) -> str | None:
    """A typed time of day as "HH:MM", or None if it is not one (24.00 and 8.60 are not)."""
    found = CLOCK.match(raw.strip())
    if not found:
        return None
    hours, minutes = (int(part) for part in (found.group(1, 2) if found.group(1) else found.group(3, 4)))
    if hours > 23 or minutes > 59:
        return None
    return f"{hours:02d}:{minutes:02d}"


def shown_clock(stored: str) -> str:
    """"08:00" as a Swedish reader writes it: "08.00"."""
    return stored.replace(":", ".")


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


def time_type(form: Mapping[str, str]) -> Checked:
    """A time type's fields (its id is not one: `type_id_for` makes a new type's from the name)."""
    out = Checked()
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
    found = clock(form.get(name, ""))
    if found is None:
        out.fault(name, message)
    return found


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
    start = _clock(form, "start", time_message("starttiden"), out)
    end = _clock(form, "end", time_message("sluttiden", "11.00"), out)
    if start and end and end <= start:
        out.fault("end", "Sluttiden måste vara senare än starttiden.")
    out.values["start"], out.values["end"] = start, end
    valid_from = until = None
    if form.get("from", "").strip():
        valid_from = _date(form["from"], "from", date_message("första dagen"), out)
    if form.get("until", "").strip():
        until = _date(form["until"], "until", date_message("sista dagen"), out)
    if valid_from and until and until < valid_from:
        out.fault("until", "Sista dagen får inte vara före första dagen.")
    out.values["from"], out.values["until"] = valid_from, until
    return out


def _period(valid_from: datetime.date | None, until: datetime.date | None) -> str:
    if valid_from and until:
        return f" från {day_words(valid_from)} till och med {day_words(until)}"
    if valid_from:
        return f" från {day_words(valid_from)}"
    return f" till och med {day_words(until)}" if until else ""


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
            f"{shown_clock(row.start_time)}–{shown_clock(row.end_time)}{_period(row.valid_from, row.valid_until)}. "
            "Mottagningen tar emot "
            "en bokning i taget, så två schemarader får inte ha tider samma dag och klockslag. "
            "Ändra tiderna, dagarna eller perioden."
        )
    return None


def closed_day(form: Mapping[str, str], closed: set[datetime.date]) -> Checked:
    out = Checked()
    raw = form.get("day", "").strip()
    if not raw:
        out.fault("day", date_message("dagen"))
        return out
    day = _date(raw, "day", date_message("dagen"), out)
    if day is not None and day in closed:
        out.fault("day", "Den dagen är redan stängd.")
    out.values["day"] = day
    return out
