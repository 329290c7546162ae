"""The lokal administratör's pages for the standalone tidbok: time types, weekly schedule, closed days.

The tables are forms.store.tidbok's (the booking part reads them); each change is one write
transaction that also appends its access-log row, so a change is never stored unlogged. Nothing
here creates or moves a booking: the database's refusal of two active bookings that overlap
(forms.store.tidbok) stays the guard of "one booking at a time"; a schedule row overlapping
another is refused here too, so the citizens are never offered times that cannot both be booked.
Removing a schedule row, closing a day or changing a time type's length leaves booked times booked,
each with the length it was booked with. A new time type's id is made from its name in the write
transaction (tidbok_input.type_id_for), so two administrators naming two types alike at once get
two ids ("samtal", "samtal-2"), the database's unique (clinic, type_id) deciding who takes which.
"""

from __future__ import annotations

import datetime
from typing import Any

from flask import redirect, request, url_for
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.wrappers import Response

from forms.platform.services import services
from forms.staff import accesslog, tidbok_input
from forms.staff.rules import ADMIN
from forms.staff.web import bp, has_any, me, refuse, render, role_text, roles_at
from forms.staff.wording import DATE_HINT, TIME_HINT, day_words
from forms.store.engine import writing
from forms.store.tidbok import ClosedDayRow, ScheduleRow, TimeTypeRow
from sitegen.content.digits import ascii_int

ID_TRIES = 5  # another administrator taking the same id at the same moment, this many times over, is not real


def _read() -> Session:
    return sessionmaker(services().store.engine, expire_on_commit=False)()


def _change(db: Session, clinic: str, roles: frozenset[str], detail: str) -> None:
    accesslog.record(
        db.connection(), at=services().now(), hsa_id=me().person.hsa_id, role=role_text(roles),
        clinic=clinic, action="tidbok", detail=detail,
    )


def _types(db: Session, clinic: str) -> list[TimeTypeRow]:
    return list(db.scalars(select(TimeTypeRow).where(TimeTypeRow.clinic == clinic).order_by(TimeTypeRow.id)))


@bp.get("/personal/<clinic>/tidbok/tidstyper/")
def tidbok_types(clinic: str) -> str:
    roles_at(clinic, has_any(ADMIN))
    with _read() as db:
        types = _types(db, clinic)
    saved = next((row.name for row in types if row.type_id == request.args.get("sparat")), None)
    return render("staff/tidbok_types.html", clinic=clinic, types=types, reasons=tidbok_input.REASONS, saved=saved)


TYPE_FIELDS = ("name", "minutes", "reason", "min_age", "max_age", "cancel_hours", "rebook", "info", "web",
               "staff_bookings", "max_per_person")


def _typed() -> dict[str, Any]:
    """The time type's form as posted, its checkboxes as booleans: shown again with a fault."""
    typed: dict[str, Any] = dict(request.form.items())
    typed["rebook"] = request.form.get("rebook") == "1"
    typed["web"] = request.form.get("web", "1") != "0"
    return typed


def _type_form(clinic: str, type_id: str | None, values: dict[str, Any], errors: list[dict[str, Any]]) -> str:
    return render("staff/tidbok_type_edit.html", clinic=clinic, type_id=type_id, values=values, errors=errors,
                  reasons=tidbok_input.REASONS, staff_bookings=tidbok_input.STAFF_BOOKINGS)


@bp.route("/personal/<clinic>/tidbok/tidstyper/ny/", methods=["GET", "POST"], defaults={"type_id": None})
@bp.route("/personal/<clinic>/tidbok/tidstyper/<type_id>/", methods=["GET", "POST"])
def tidbok_type_edit(clinic: str, type_id: str | None) -> Response | str | tuple[str, int]:
    roles = roles_at(clinic, has_any(ADMIN))
    with _read() as db:
        rows = {row.type_id: row for row in _types(db, clinic)}
    existing = rows.get(type_id) if type_id is not None else None
    if type_id is not None and existing is None:
        refuse(clinic, "tidstyp")
    if request.method == "GET":
        if existing is None:
            return _type_form(clinic, None, {"reason": "none", "cancel_hours": "24", "rebook": True, "web": True,
                                             "staff_bookings": "cancel"}, [])
        values = {name: getattr(existing, name) for name in TYPE_FIELDS}
        return _type_form(clinic, type_id, values, [])
    checked = tidbok_input.time_type(request.form)
    if checked.errors:
        return _type_form(clinic, type_id, _typed(), checked.errors), 422
    values = checked.values
    for _attempt in range(ID_TRIES):
        try:
            saved = _save_type(clinic, roles, type_id, values)
        except IntegrityError:
            # IntegrityError: on PostgreSQL two transactions can both miss the other's new row; the
            # unique (clinic, type_id) decides, and the loser takes the next free id from the name.
            if type_id is not None:
                raise
            continue
        return redirect(url_for("staff.tidbok_types", clinic=clinic, sparat=saved), code=303)
    raise RuntimeError("no free time-type id after several tries")


def _save_type(clinic: str, roles: frozenset[str], type_id: str | None, values: dict[str, Any]) -> str:
    """Store the type in one write transaction with its log row; a new one gets its id from its name."""
    with sessionmaker(writing(services().store.engine))() as db, db.begin():
        if type_id is None:
            # Read in the write transaction (SQLite's BEGIN IMMEDIATE: one writer at a time).
            taken = set(db.scalars(select(TimeTypeRow.type_id).where(TimeTypeRow.clinic == clinic)))
            new_id = tidbok_input.type_id_for(values["name"], taken)
            row = TimeTypeRow(clinic=clinic, type_id=new_id)
            db.add(row)
        else:  # the id stays: bookings and the booking side's addresses name it
            row = db.scalars(select(TimeTypeRow).where(
                TimeTypeRow.clinic == clinic, TimeTypeRow.type_id == type_id)).one()
        for name in TYPE_FIELDS:
            setattr(row, name, values[name])
        db.flush()  # a new id's unique (clinic, type_id) speaks here, for the caller to take the next one
        _change(db, clinic, roles, f"tidstyp {row.type_id}: {values['name']}, {values['minutes']} min")
        return row.type_id


def _schedule_page(clinic: str, errors: list[dict[str, Any]], typed: dict[str, Any], status: int = 200
                   ) -> tuple[str, int]:
    with _read() as db:
        types = _types(db, clinic)
        rows = list(db.scalars(select(ScheduleRow).where(ScheduleRow.clinic == clinic).order_by(
            ScheduleRow.type_id, ScheduleRow.valid_from, ScheduleRow.start_time)))
    names = {row.type_id: row.name for row in types}
    return render("staff/tidbok_schedule.html", clinic=clinic, types=types, rows=rows, names=names,
                  days=tidbok_input.DAYS, errors=errors, typed=typed, saved=request.args.get("sparat"),
                  date_hint=DATE_HINT, time_hint=TIME_HINT, day_words=day_words,
                  clock=tidbok_input.shown_clock), status


@bp.route("/personal/<clinic>/tidbok/schema/", methods=["GET", "POST"])
def tidbok_schedule(clinic: str) -> Response | tuple[str, int]:
    roles = roles_at(clinic, has_any(ADMIN))
    if request.method == "GET":
        return _schedule_page(clinic, [], {"days": []})
    remove = request.form.get("remove", "")
    with _read() as db:
        type_ids = {row.type_id for row in _types(db, clinic)}
        row_id = ascii_int(remove)  # str.isdigit() took "²", which int() refused: a 500
        found = db.get(ScheduleRow, row_id) if row_id is not None else None
    if remove and (found is None or found.clinic != clinic):
        refuse(clinic, "schema")  # outside the write transaction: the refusal writes its own log row
    with sessionmaker(writing(services().store.engine))() as db, db.begin():
        if remove:
            row = db.get(ScheduleRow, row_id)
            if row is None:  # removed by someone else meanwhile
                return redirect(url_for("staff.tidbok_schedule", clinic=clinic, sparat="1"), code=303)
            removed = f"{row.type_id} {row.weekdays} {row.start_time}–{row.end_time}"
            _change(db, clinic, roles, f"tog bort schemarad {removed}")
            db.delete(row)
        else:
            checked = tidbok_input.schedule(request.form, request.form.getlist("days"), type_ids)
            if checked.errors:
                typed: dict[str, Any] = dict(request.form.items())
                typed["days"] = request.form.getlist("days")
                db.rollback()
                return _schedule_page(clinic, checked.errors, typed, 422)
            values = checked.values
            # Read in the write transaction, so two administrators adding at once cannot both pass.
            clash = tidbok_input.schedule_clash(
                values, list(db.scalars(select(ScheduleRow).where(ScheduleRow.clinic == clinic))),
                {row.type_id: row.name for row in _types(db, clinic)},
            )
            if clash is not None:
                typed = dict(request.form.items())
                typed["days"] = request.form.getlist("days")
                db.rollback()
                return _schedule_page(clinic, [{"anchor": "start", "message": clash, "context": None}], typed, 422)
            weekdays = "".join(str(tidbok_input.DAYS.index(day)) for day in values["days"])
            db.add(ScheduleRow(clinic=clinic, type_id=values["time_type"], weekdays=weekdays,
                               start_time=values["start"], end_time=values["end"],
                               valid_from=values["from"], valid_until=values["until"]))
            _change(db, clinic, roles, f"schemarad {values['time_type']} {','.join(values['days'])} "
                    f"{values['start']}–{values['end']} {values['from'] or ''}–{values['until'] or ''}")
    return redirect(url_for("staff.tidbok_schedule", clinic=clinic, sparat="1"), code=303)


def _closed_page(clinic: str, errors: list[dict[str, Any]], typed: str, status: int = 200) -> tuple[str, int]:
    with _read() as db:
        statement = select(ClosedDayRow.day).where(ClosedDayRow.clinic == clinic).order_by(ClosedDayRow.day)
        days = list(db.scalars(statement))
    return render("staff/tidbok_closed.html", clinic=clinic, days=days, errors=errors, typed=typed,
                  saved=request.args.get("sparat"), date_hint=DATE_HINT, day_words=day_words), status


@bp.route("/personal/<clinic>/tidbok/stangda-dagar/", methods=["GET", "POST"])
def tidbok_closed(clinic: str) -> Response | tuple[str, int]:
    roles = roles_at(clinic, has_any(ADMIN))
    if request.method == "GET":
        return _closed_page(clinic, [], "")
    with _read() as db:
        closed = set(db.scalars(select(ClosedDayRow.day).where(ClosedDayRow.clinic == clinic)))
    remove = request.form.get("remove", "")
    if remove:
        checked = tidbok_input.closed_day({"day": remove}, set())
        day = checked.values.get("day")
        if checked.errors or day not in closed:
            refuse(clinic, "stangd-dag")
        with sessionmaker(writing(services().store.engine))() as db, db.begin():
            opened = db.execute(delete(ClosedDayRow).where(ClosedDayRow.clinic == clinic, ClosedDayRow.day == day))
            if opened.rowcount:  # not when another administrator opened it since the read above
                _change(db, clinic, roles, f"öppnade stängd dag {day}")
        return redirect(url_for("staff.tidbok_closed", clinic=clinic, sparat="1"), code=303)
    checked = tidbok_input.closed_day(request.form, closed)
    if checked.errors:
        return _closed_page(clinic, checked.errors, request.form.get("day", ""), 422)
    day = checked.values["day"]
    if not _close_day(clinic, day, roles):  # another administrator closed it since the read above
        already = tidbok_input.closed_day(request.form, {day})
        return _closed_page(clinic, already.errors, request.form.get("day", ""), 422)
    return redirect(url_for("staff.tidbok_closed", clinic=clinic, sparat="1"), code=303)


def _close_day(clinic: str, day: datetime.date, roles: frozenset[str]) -> bool:
    """Close `day` and log it, unless it is closed already; whether this request closed it.

    Two administrators closing one day at once both pass the read of the closed days; the
    database's primary key (clinic, day) then stores it once and refuses the second insert at its
    flush, before its log row is written, on SQLite and PostgreSQL alike.
    """
    try:
        with sessionmaker(writing(services().store.engine))() as db, db.begin():
            db.add(ClosedDayRow(clinic=clinic, day=day))
            db.flush()
            _change(db, clinic, roles, f"stängd dag {day}")
    except IntegrityError:
        return False
    return True
