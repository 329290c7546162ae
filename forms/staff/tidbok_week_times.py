"""The tidbok's week for the tidsbokare: seven days of times, free ones with "Boka tid åt invånare".

(forms.staff.tidbok_week is the week as counts for every tidbok role; this one shows the times.)

Built from the day view's own reading (forms.staff.tidbok_day.days_of), so the two
never differ; like the day view it shows citizens (name and personnummer), so each reading writes
one access-log row naming every personnummer shown.
"""

from __future__ import annotations

import datetime

from flask import request

from forms.staff.rules import BOOKER
from forms.staff.tidbok_day import STAFF_BOOKED, day_in_words, days_of, names_read, open_tidbok
from forms.staff.web import bp, has_any, refuse, render
from sitegen.content.digits import ascii_date


@bp.get("/personal/<clinic>/tidbok/vecka/tider/")
def tidbok_week_times(clinic: str) -> str:
    opened = open_tidbok(clinic, has_any(BOOKER))
    today = opened.today
    raw = request.args.get("vecka", "")
    asked = ascii_date(raw[:10]) if raw else today
    if asked is None or not 2000 <= asked.year <= 2100:
        refuse(clinic, "tidbok-vecka")
    monday = asked - datetime.timedelta(days=asked.weekday())
    days = []
    for offset, (slots, closed, type_names, comments) in enumerate(days_of(clinic, monday, 7)):
        day = monday + datetime.timedelta(days=offset)
        days.append({"day": day, "words": day_in_words(day), "slots": slots, "closed": closed,
                     "type_names": type_names, "comments": comments})
    subjects = (b.subject for d in days for slot in d["slots"] for b in slot.bookings)
    names = names_read(clinic, opened.roles, "tidbok_week", monday.isoformat(), subjects)
    week = datetime.timedelta(days=7)
    return render(
        "staff/tidbok_week_times.html", clinic=clinic, days=days, names=names, staff_booked=STAFF_BOOKED,
        number=monday.isocalendar().week, first=day_in_words(monday),
        last=day_in_words(monday + datetime.timedelta(days=6)),
        previous=(monday - week).isoformat(), next=(monday + week).isoformat(), now=opened.now, can_book=True,
        this_week=monday <= today < monday + week, today=today.isoformat(),
    )
