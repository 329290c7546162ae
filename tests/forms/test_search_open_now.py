""""Öppet nu" is decided at the request's time (the app's clock, FORMS_NOW), in Stockholm time,
from the opening hours and the avvikande öppettider the build stored in the index."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.forms.search_support import hits

CET = datetime.timezone(datetime.timedelta(hours=1))
ALL_DEMO = 13


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=CET)


def open_slugs(client: FlaskClient, query: str = "") -> list[str]:
    return sorted(hits(client.get(f"/sok/?oppet=nu{query}").get_data(as_text=True)))


def test_weekday_morning(search_app: Callable[..., Flask]) -> None:
    client = search_app(at(2026, 12, 1, 10, 0)).test_client()  # Tuesday 10.00
    found = open_slugs(client)
    assert "ungdomsmottagningen-asvik" not in found  # Tuesdays from 12.00
    assert len(found) == ALL_DEMO - 1


def test_weekend(search_app: Callable[..., Flask]) -> None:
    client = search_app(at(2026, 12, 5, 10, 0)).test_client()  # Saturday 10.00
    assert open_slugs(client) == ["asviks-vardcentral"]  # the only one open on Saturdays, 09.00–13.00
    assert open_slugs(search_app(at(2026, 12, 6, 10, 0)).test_client()) == []  # Sunday


def test_just_before_and_at_closing(search_app: Callable[..., Flask]) -> None:
    before = search_app(at(2026, 12, 4, 14, 59)).test_client()  # Friday 14.59
    at_three = search_app(at(2026, 12, 4, 15, 0)).test_client()  # Friday 15.00
    assert "storgardens-vardcentral" in open_slugs(before)  # Fridays 08.00–15.00
    assert "storgardens-vardcentral" not in open_slugs(at_three)
    assert "lung-och-somnmottagningen" not in open_slugs(before)  # Fridays until 14.00


def test_lunch_break(search_app: Callable[..., Flask]) -> None:
    lunch = search_app(at(2026, 12, 1, 12, 30)).test_client()  # Tuesday 12.30
    assert "vardcentralen-granberga" not in open_slugs(lunch)  # 08.00–12.00, 13.00–16.30


def test_summer_time_is_stockholm_time(search_app: Callable[..., Flask]) -> None:
    # 06.15 UTC on a June Monday is 08.15 in Stockholm (UTC+2): Storgården opens at 08.00.
    client = search_app(datetime.datetime(2027, 6, 7, 6, 15, tzinfo=datetime.UTC)).test_client()
    assert "storgardens-vardcentral" in open_slugs(client)


def test_each_hit_says_open_or_closed(search_app: Callable[..., Flask]) -> None:
    html = search_app(at(2026, 12, 5, 10, 0)).test_client().get("/sok/?q=vardcentral").get_data(as_text=True)
    rows = {slug: html.split(f'/mottagningar/{slug}/"', 1)[1].split("</li>", 1)[0] for slug in hits(html)}
    assert "Öppet nu" in rows["asviks-vardcentral"]
    assert all("Stängt nu" in row for slug, row in rows.items() if slug != "asviks-vardcentral")


def test_avvikande_oppettider_close_and_shorten(search_app: Callable[..., Flask]) -> None:
    # The demo's Storgårdens vårdcentral: Julafton Stängt; Trettondagsafton 08.00–15.00.
    christmas_eve = search_app(at(2026, 12, 24, 10, 0)).test_client()  # a Thursday
    assert "storgardens-vardcentral" not in open_slugs(christmas_eve)
    assert "barnmorskemottagningen-storkoping" in open_slugs(christmas_eve)  # no exception: its weekday hours
    twelfth_eve = search_app(at(2027, 1, 5, 15, 30)).test_client()  # a Tuesday, normally open until 17.00
    assert "storgardens-vardcentral" not in open_slugs(twelfth_eve)
    assert "storgardens-vardcentral" in open_slugs(search_app(at(2027, 1, 5, 14, 30)).test_client())
    assert "storgardens-vardcentral" in open_slugs(search_app(at(2027, 1, 12, 15, 30)).test_client())  # a week on
