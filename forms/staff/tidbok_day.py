"""The tidbok's day view for the staff who book and receive patients, and the tidbok's keeper.

It shows citizens (name and personnummer), so each reading writes an access-log row naming the
personnummer shown, like a case list. The times come from the weekly schedule (built in local
time, so 08:00 stays 08:00 across clock changes; on the nights the clocks change, a schedule time
that does not exist or happens twice is left out, as the citizens are not offered it either,
forms.booking.times) and the day's bookings, cancelled ones included, each at its real moment;
a booking outside every schedule row is still shown at its time. Each booking shows every comment
it was given, in order, each labelled with the journey that gave it ("Kommentar vid ombokning: …").
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from forms.platform.services import services
from forms.staff.rules import BOOKER, can_see_tidbok
from forms.staff.web import bp, log_here, render, roles_at
from forms.staff.wording import DATE_HINT, date_message
from forms.store.tidbok import BookingCommentRow, BookingRow, ClosedDayRow, ScheduleRow, TimeTypeRow
from sitegen.content.digits import ascii_date
from sitegen.site.dates import MONTH_NAMES, WEEKDAY_NAMES

STOCKHOLM = ZoneInfo("Europe/Stockholm")
STAFF_BOOKED = "mottagningen"  # booked_by of a time the mottagning booked (forms.booking.seed)
COMMENT_LABELS = {"omboka": "Kommentar vid ombokning", "avboka": "Kommentar vid avbokning"}
# A change the tidsbokare made (forms.staff.tidbok_booking), named with their HSA-id.
STAFF_LABELS = {"boka": "Bokad av personal", "omboka": "Ombokad av personal", "avboka": "Avbokad av personal"}
DONE = {"bokad": "Tiden är bokad.", "ombokad": "Tiden är ombokad.", "avbokad": "Tiden är avbokad."}


@dataclass
class Slot:
    start: datetime.datetime  # local
    type_names: list[str]  # the schedule's time types at this time; none for a booking outside the schedule
    bookings: list[BookingRow] = field(default_factory=list)
    type_ids: list[str] = field(default_factory=list)  # the same types' ids (the tidsbokare's controls)


def comments_of(db: Session, bookings: list[BookingRow]) -> dict[int, list[str]]:
    """Each booking's comments, oldest first, as the day view labels them."""
    found: dict[int, list[str]] = {}
    if not bookings:
        return found
    rows = db.execute(
        select(BookingCommentRow.booking_id, BookingCommentRow.action, BookingCommentRow.comment,
               BookingCommentRow.hsa_id)
        .where(BookingCommentRow.booking_id.in_([b.id for b in bookings]))
        .order_by(BookingCommentRow.booking_id, BookingCommentRow.id)
    )
    for booking_id, action, comment, hsa_id in rows:
        if hsa_id:
            line = f"{STAFF_LABELS.get(action, 'Ändrad av personal')} ({hsa_id})" + (f": {comment}" if comment else "")
        else:
            line = f"{COMMENT_LABELS.get(action, 'Kommentar')}: {comment}"
        found.setdefault(booking_id, []).append(line)
    return found


def day_in_words(day: datetime.date) -> str:
    """"måndag 28 december 2026", as CONTRACT section 5 writes dates."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _utc(day: datetime.date) -> datetime.datetime:
    start = datetime.datetime.combine(day, datetime.time(), STOCKHOLM)
    return start.astimezone(datetime.UTC).replace(tzinfo=None)


def _happens_once(local: datetime.datetime) -> bool:
    """Whether a naive local time exists, and once (not March's lost hour nor October's doubled one)."""
    return local.replace(tzinfo=STOCKHOLM, fold=0).utcoffset() == local.replace(tzinfo=STOCKHOLM, fold=1).utcoffset()


def _real(local: datetime.datetime) -> datetime.datetime:
    return local.astimezone(datetime.UTC).replace(tzinfo=None)


Day = tuple[list[Slot], bool, dict[str, str], dict[int, list[str]]]


def slots_of(clinic: str, day: datetime.date) -> Day:
    """The day's times with their bookings, whether the day is closed, the time types' names, the comments."""
    return days_of(clinic, day, 1)[0]


def days_of(clinic: str, first: datetime.date, count: int, comments: bool = True) -> list[Day]:
    """`slots_of` for `count` days from `first`, from one reading of the tables for them all.

    The week views show seven days: read day by day, that was seven sessions of five statements
    each for the same time types and schedule. The week of counts passes `comments=False`: it
    shows none. Each day is built exactly as the day view builds it.
    """
    last = first + datetime.timedelta(days=count)
    with sessionmaker(services().store.engine)() as db:
        types = {row.type_id: row for row in db.scalars(select(TimeTypeRow).where(TimeTypeRow.clinic == clinic))}
        closed = set(db.scalars(select(ClosedDayRow.day).where(
            ClosedDayRow.clinic == clinic, ClosedDayRow.day >= first, ClosedDayRow.day < last)))
        rules = list(db.scalars(select(ScheduleRow).where(ScheduleRow.clinic == clinic)))
        bookings = list(db.scalars(select(BookingRow).where(
            BookingRow.clinic == clinic, BookingRow.start >= _utc(first), BookingRow.start < _utc(last),
        ).order_by(BookingRow.start, BookingRow.id)))
        said = comments_of(db, bookings) if comments else {}
    names = {key: row.name for key, row in types.items()}
    found = []
    for offset in range(count):
        day = first + datetime.timedelta(days=offset)
        begins, ends = _utc(day), _utc(day + datetime.timedelta(days=1))
        booked = [booking for booking in bookings if begins <= booking.start < ends]
        ids = {booking.id for booking in booked}
        shown = {key: lines for key, lines in said.items() if key in ids}
        found.append((_slots(day, day in closed, types, rules, booked), day in closed, dict(names), shown))
    return found


def _slots(day: datetime.date, closed: bool, types: dict[str, TimeTypeRow], rules: list[ScheduleRow],
           bookings: list[BookingRow]) -> list[Slot]:
    slots: dict[datetime.datetime, Slot] = {}  # by the real moment (naive UTC), never the wall clock
    for rule in [] if closed else rules:
        kind = types.get(rule.type_id)
        if kind is None or str(day.weekday()) not in rule.weekdays or kind.minutes <= 0:
            continue
        if (rule.valid_from and day < rule.valid_from) or (rule.valid_until and day > rule.valid_until):
            continue
        moment = datetime.datetime.combine(day, datetime.time.fromisoformat(rule.start_time))
        end = datetime.datetime.combine(day, datetime.time.fromisoformat(rule.end_time))
        step = datetime.timedelta(minutes=kind.minutes)
        while moment + step <= end:
            if not _happens_once(moment):
                moment += step
                continue
            local = moment.replace(tzinfo=STOCKHOLM)
            slot = slots.setdefault(_real(local), Slot(local, []))
            if kind.name not in slot.type_names:
                slot.type_names.append(kind.name)  # two types may share a time; one booking can still take it
                slot.type_ids.append(kind.type_id)
            moment += step
    for booking in bookings:
        local = booking.start.replace(tzinfo=datetime.UTC).astimezone(STOCKHOLM)
        slots.setdefault(booking.start, Slot(local, [])).bookings.append(booking)
    return [slots[key] for key in sorted(slots)]


@dataclass(frozen=True)
class Opened:
    """Who reads the tidbok, in which roles, and the clock read once for the page."""

    roles: frozenset[str]
    now: datetime.datetime

    @property
    def today(self) -> datetime.date:
        return self.now.astimezone(STOCKHOLM).date()


def open_tidbok(clinic: str, needs: Callable[[frozenset[str]], bool] = can_see_tidbok) -> Opened:
    """The logged-in staff member's roles at `clinic` when they may read this view of its tidbok,
    else 404 as for a mottagning not theirs: the day, week and week-times views all begin here, so
    the check cannot drift between them."""
    return Opened(roles_at(clinic, needs), services().now())


def names_read(clinic: str, roles: frozenset[str], action: str, label: str, subjects: Iterable[str]) -> dict[str, str]:
    """The names of the citizens a view shows, with the access-log row that names every one of
    them (each staff read of patients is logged), written before the page is."""
    shown = sorted(set(subjects))
    names = {p.personnummer: p.name for p in (services().identity.find_person(pnr) for pnr in shown) if p}
    log_here(clinic, roles, action, detail=f"{label}: {', '.join(shown)}"[:2000])
    return names


def asked_day(raw: str, today: datetime.date) -> datetime.date | None:
    """The day `dag=` asks for (typed in the date field or followed from a link); None if it is not one.

    Kept to the years 2000–2100, so the previous and next day and week stay inside the calendar.
    """
    day = ascii_date(raw.strip()) if raw.strip() else today
    return day if day is not None and 2000 <= day.year <= 2100 else None


@bp.get("/personal/<clinic>/tidbok/")
def tidbok_day(clinic: str) -> str | tuple[str, int]:
    opened = open_tidbok(clinic)  # not a pure granskare nor verksamhetschef (forms.staff.rules)
    today = opened.today
    raw = request.args.get("dag", "")[:40]
    day = asked_day(raw, today)
    if day is None:
        # Typed into the date field: said in Swedish with what was typed kept, nothing read or logged.
        errors = [{"anchor": "dag", "message": date_message("dagen"), "context": None}]
        return render("staff/tidbok_day.html", clinic=clinic, errors=errors, typed=raw, date_hint=DATE_HINT,
                      today=today.isoformat()), 422
    slots, closed, type_names, comments = slots_of(clinic, day)
    subjects = (b.subject for slot in slots for b in slot.bookings)
    names = names_read(clinic, opened.roles, "tidbok_day", day.isoformat(), subjects)
    one_day = datetime.timedelta(days=1)
    return render(
        "staff/tidbok_day.html", clinic=clinic, day=day, day_words=day_in_words(day), slots=slots,
        closed=closed, type_names=type_names, names=names, staff_booked=STAFF_BOOKED, comments=comments,
        previous=(day - one_day).isoformat(), next=(day + one_day).isoformat(),
        previous_words=day_in_words(day - one_day), next_words=day_in_words(day + one_day),
        is_today=day == today, today=today.isoformat(), errors=[], typed=day.isoformat(), date_hint=DATE_HINT,
        week=day.isocalendar().week,
        can_book=BOOKER in opened.roles, now=opened.now, done=DONE.get(request.args.get("klart", "")),
    )
