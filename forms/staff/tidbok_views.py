"""The lokal administratör's pages for the standalone tidbok: time types, weekly schedule, closed days.

The tables are forms.store.tidbok's (the booking part reads them); each change is one write
transaction that also appends its access-log row, so a change is never stored unlogged. Nothing
here creates or moves a booking: the database's refusal of two active bookings that overlap
(forms.store.tidbok) stays the guard of "one booking at a time"; a schedule row overlapping
another is refused here too, so the citizens are never offered times that cannot both be booked.
Removing a schedule row, closing a day or changing a time type's length leaves booked times booked,
each with the length it was booked with.
"""

from __future__ import annotations

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
from forms.store.engine import writing
from forms.store.tidbok import ClosedDayRow, ScheduleRow, TimeTypeRow
from sitegen.content.digits import ascii_int


class _IdTaken(Exception):
    """A new time type's id was taken between the form's check and the write."""


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
    return render("staff/tidbok_types.html", clinic=clinic, types=types, reasons=tidbok_input.REASONS,
                  saved=request.args.get("sparat"))


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
    checked = tidbok_input.time_type(request.form, type_id, set(rows))
    if checked.errors:
        return _type_form(clinic, type_id, _typed(), checked.errors), 422
    values = checked.values
    try:
        with sessionmaker(writing(services().store.engine))() as db, db.begin():
            row = db.scalars(select(TimeTypeRow).where(
                TimeTypeRow.clinic == clinic, TimeTypeRow.type_id == values["type_id"])).first()
            if row is not None and type_id is None:
                raise _IdTaken  # created by someone else since the check: a new type never overwrites it
            if row is None:
                row = TimeTypeRow(clinic=clinic, type_id=values["type_id"])
                db.add(row)
            for name in TYPE_FIELDS:
                setattr(row, name, values[name])
            _change(db, clinic, roles, f"tidstyp {values['type_id']}: {values['name']}, {values['minutes']} min")
    except (_IdTaken, IntegrityError):
        # IntegrityError: on PostgreSQL both transactions can miss the other's row; the unique
        # (clinic, type_id) decides, and the loser is told like the form's own check tells.
        if type_id is not None:
            raise
        return _type_form(clinic, None, _typed(), [{"anchor": "type_id", "message": tidbok_input.ID_TAKEN,
                                                 "context": None}]), 422
    return redirect(url_for("staff.tidbok_types", clinic=clinic, sparat=values["type_id"]), code=303)


def _schedule_page(clinic: str, errors: list[dict[str, Any]], typed: dict[str, Any], status: int = 200
                   ) -> tuple[str, int]:
    with _read() as db:
        types = _types(db, clinic)
        rows = list(db.scalars(select(ScheduleRow).where(ScheduleRow.clinic == clinic).order_by(
            ScheduleRow.type_id, ScheduleRow.valid_from, ScheduleRow.start_time)))
    names = {row.type_id: row.name for row in types}
    return render("staff/tidbok_schedule.html", clinic=clinic, types=types, rows=rows, names=names,
                  days=tidbok_input.DAYS, errors=errors, typed=typed, saved=request.args.get("sparat")), status


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
                  saved=request.args.get("sparat")), status


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
            db.execute(delete(ClosedDayRow).where(ClosedDayRow.clinic == clinic, ClosedDayRow.day == day))
            _change(db, clinic, roles, f"öppnade stängd dag {day}")
        return redirect(url_for("staff.tidbok_closed", clinic=clinic, sparat="1"), code=303)
    checked = tidbok_input.closed_day(request.form, closed)
    if checked.errors:
        return _closed_page(clinic, checked.errors, request.form.get("day", ""), 422)
    with sessionmaker(writing(services().store.engine))() as db, db.begin():
        db.add(ClosedDayRow(clinic=clinic, day=checked.values["day"]))
        _change(db, clinic, roles, f"stängd dag {checked.values['day']}")
    return redirect(url_for("staff.tidbok_closed", clinic=clinic, sparat="1"), code=303)
