"""A kallelse books at most one time, however many bookings through it race, on SQLite and PostgreSQL.

Each racer is a tidbok on an engine of its own (as each gunicorn worker has), booking a different
free time through the same kallelse, released together by a barrier: the database's conditional
update of the kallelse, in the booking's transaction, lets exactly one through.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from sqlalchemy import select

from forms.booking import kallelse
from forms.booking.interface import STOCKHOLM, Request
from forms.booking.standalone import StandaloneTidbok
from forms.store.db import Kallelse
from forms.store.engine import make_engine
from forms.store.tidbok import BookingRow
from tests.forms.booking_support import NOW
from tests.forms.omvant_support import ADULT, SENDER, VC, make_omvant_app, send_message, staff_client
from tests.forms.test_booking_races import at_once

RACERS = 4  # vaccination has four times on Thursday 3 December: 14.00, 14.15, 14.30, 14.45


def test_racing_bookings_through_one_kallelse_book_one_time(database_url: str, tmp_path: Path) -> None:
    app = make_omvant_app(tmp_path, database_url)
    send_message(staff_client(app, SENDER), kallelse="vaccination", amne="Kallelse")
    app.extensions["hittavard_forms"].store.engine.dispose()
    engines = [make_engine(database_url, migrate=False) for _ in range(RACERS)]
    try:
        with engines[0].connect() as connection:
            invited = connection.execute(select(Kallelse.id)).scalar_one()
        starts = [datetime.datetime(2026, 12, 3, 14, 15 * i, tzinfo=STOCKHOLM) for i in range(RACERS)]
        racers = [StandaloneTidbok(engine) for engine in engines]
        results = at_once([
            lambda t=t, s=s, i=i: t.make_booking(
                Request(VC, "vaccination", s, ADULT, ADULT, None, f"racer-{i}", kallelse=invited), NOW
            )
            for i, (t, s) in enumerate(zip(racers, starts, strict=True))
        ])
        assert sorted(r.ok for r in results) == [False] * (RACERS - 1) + [True]
        assert all(r.text == kallelse.SPENT for r in results if not r.ok)
        with engines[0].connect() as connection:
            booked = connection.execute(
                select(BookingRow.id).where(BookingRow.type_id == "vaccination", BookingRow.status == "active")
            ).scalars().all()
            spent = connection.execute(select(Kallelse.booking_id, Kallelse.spent_at)).one()
        assert len(booked) == 1 and spent.booking_id == booked[0] and spent.spent_at is not None
    finally:
        for engine in engines:
            engine.dispose()
