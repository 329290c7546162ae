"""The day-and-time page of Boka and Omboka: days as links, a day's free times as radios.

No date-picker and no JavaScript (GOV.UK and MoJ "book a visit"): the first day with free times is
shown at once; the days that have free times are listed as links a week's worth at a time, with
"Tidigare dagar" and "Senare dagar" to the weeks before and after. A day in the URL that has no
free times (closed, past, outside the schedule, or not a date at all) gets a plain message and the
first day that has some.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from forms.booking import times
from forms.booking.common import horizon, now, parse_day, parse_start, tidbok

DAYS_PER_VIEW = 7
NEAR_DAYS = 28  # the free times read first: from today to this many days after the day asked for
NO_SUCH_DAY = "Det finns inga lediga tider {day}. Välj en annan dag."
NOT_A_DAY = "Dagen finns inte. Välj en av dagarna med lediga tider."
NO_TIMES = "Det finns inga lediga tider att boka just nu. Ring mottagningen för att boka en tid."
CHOOSE_TIME = "Välj en tid."


@dataclass(frozen=True)
class DayLink:
    iso: str
    words: str
    current: bool


@dataclass(frozen=True)
class TimeOption:
    value: str  # the start as ISO with offset: what the radio posts
    label: str  # "08.20"
    id: str
    checked: bool


@dataclass
class DayView:
    day: datetime.date | None
    day_words: str
    options: list[TimeOption]
    days: list[DayLink]
    earlier: str | None  # ISO day that "Tidigare dagar" opens
    later: str | None
    notice: str | None = None
    errors: list[dict[str, str | None]] = field(default_factory=list)

    def fail(self, message: str) -> DayView:
        anchor = self.options[0].id if self.options else "tider"
        self.errors = [{"anchor": anchor, "message": message, "context": None}]
        return self


def _place(
    dates: list[datetime.date], requested: str | None, chosen: datetime.datetime | None
) -> tuple[datetime.date, str | None]:
    """The day to show of those with free times, and the notice when it is not the one asked for."""
    notice = None
    day = parse_day(requested)
    if requested and day is None:
        notice = NOT_A_DAY
    elif day is not None and day not in dates:
        notice = NO_SUCH_DAY.format(day=times.day_in_words(day))
        day = None
    if day is None:
        chosen_day = chosen.astimezone(times.STOCKHOLM).date() if chosen is not None else None
        day = chosen_day if chosen_day in dates else dates[0]
    return day, notice


def day_view(
    slug: str, type_id: str, subject: str, requested: str | None, chosen: datetime.datetime | None
) -> DayView:
    """The day's page from one free-time answer, usually of the next few weeks only.

    Days are listed a week of free days at a time from the first, so the page needs the free days
    from today to the shown day's week and one more (for "Senare dagar"): the days up to
    `NEAR_DAYS` after the day asked for nearly always hold them. Only when they do not (few free
    days, a day far ahead) are the whole three months read, once more.
    """
    at = now()
    today, last = times.local_day(at), horizon(at)
    asked = [d for d in (parse_day(requested), chosen and chosen.astimezone(times.STOCKHOLM).date()) if d]
    # A day asked for outside the bookable span (a typed URL: year 9999) reads no further than the span.
    near = min(last, max([today, *(min(max(d, today), last) for d in asked)]) + datetime.timedelta(days=NEAR_DAYS))
    for until in (near, last) if near < last else (last,):
        free = tidbok().free_times(slug, type_id, subject, at, until)
        dates = free.days
        if not dates:
            continue
        day, notice = _place(dates, requested, chosen)
        position = dates.index(day)
        first = position - position % DAYS_PER_VIEW
        if first + DAYS_PER_VIEW < len(dates) or until == last:
            break
    if not dates:
        return DayView(None, "", [], [], None, None, notice=NO_TIMES)
    window = dates[first : first + DAYS_PER_VIEW]
    options = []
    for moment in free.on(day):
        label = times.clock(moment)
        options.append(TimeOption(moment.isoformat(), label, f"tid-{label.replace('.', '')}", moment == chosen))
    return DayView(
        day=day,
        day_words=times.day_in_words(day),
        options=options,
        days=[DayLink(d.isoformat(), times.day_in_words(d), d == day) for d in window],
        earlier=dates[first - DAYS_PER_VIEW].isoformat() if first > 0 else None,
        later=dates[first + DAYS_PER_VIEW].isoformat() if first + DAYS_PER_VIEW < len(dates) else None,
        notice=notice,
    )


def chosen_time(slug: str, type_id: str, subject: str, value: str | None) -> datetime.datetime | None:
    """The posted time if it is one of the free times of its day right now, else None."""
    start = parse_start(value)
    if start is None:
        return None
    day = start.astimezone(times.STOCKHOLM).date()
    at = now()
    if not times.local_day(at) <= day <= horizon(at):
        return None  # only the days the page offers: never a time years ahead posted by hand
    free = tidbok().available_times(slug, type_id, subject, day, at)
    return next((moment for moment in free if moment == start), None)
