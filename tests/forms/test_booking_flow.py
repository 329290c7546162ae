"""The booking journeys through the Flask test client: order, bad input, ownership, the inbox copy."""

from __future__ import annotations

import datetime
import html as html_lib
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms import create_app
from forms.booking.common import EXTENSION
from tests.forms.booking_support import (
    ADULT,
    CHILD,
    OTHER,
    SPEC,
    TAKEN_TEXT,
    TODDLER,
    VC,
    book_to_check,
    config,
    confirm,
    draft_key,
    login,
    submit,
    times_offered,
    token,
    write_booking_content,
    write_demo,
)
from tests.forms.gunicorn_run import hidden_fields


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    root = write_booking_content(tmp_path / "content")
    demo = write_demo(tmp_path / "demo.yaml")
    return create_app(config(root, demo, f"sqlite:///{tmp_path / 'store.sqlite3'}"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def active_bookings(app: Flask, subject: str | None = None) -> list[str]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from forms.store.tidbok import BookingRow

    with Session(app.extensions["hittavard_forms"].store.engine) as db:
        rows = db.scalars(select(BookingRow).where(BookingRow.status == "active").order_by(BookingRow.start))
        return [f"{r.clinic} {r.type_id} {r.start.isoformat()} {r.subject}" for r in rows
                if subject is None or r.subject == subject]


def test_boka_tid_books_the_time_and_copies_it_to_the_inbox(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    check = book_to_check(client, start="2026-12-01T08:20:00+01:00")
    assert "Kontrollera din bokning" in check
    assert "tisdag 1 december 2026 kl. 08.20" in check and "Ont i halsen" in check
    assert "Övrigt" in check and "Kom tio minuter före din tid." in check
    done = confirm(client, check)
    assert done.status_code == 303
    receipt = client.get(done.headers["Location"])
    assert "Din tid är bokad" in receipt.text and "tisdag 1 december 2026 kl. 08.20" in receipt.text
    assert_titled_like_the_steps(receipt.text, check, "Boka tid")
    assert "kalender.ics" in receipt.text
    # "Tillbaka" is for steps: a finished journey has none, but a link to the contact page it began on
    # (issue 20; this replaced the receipt's "Tillbaka" of commit 69b3da1).
    assert "Tillbaka" not in receipt.text and 'class="cancel-link"' not in receipt.text
    assert re.search(r'<a href="[^"]*/mottagningar/[a-z0-9-]+/">Gå till sidan för [^<]+</a>', receipt.text)
    assert "lakarbesok 2026-12-01T07:20:00" in " ".join(active_bookings(app, ADULT))
    inbox = client.get("/e-tjanster/inkorg/")
    assert "Boka tid" in inbox.text and "Bokad: tisdag 1 december 2026 kl. 08.20" in inbox.text
    ics = client.get(re.search(r'href="([^"]+kalender\.ics)"', receipt.text).group(1))
    assert ics.mimetype == "text/calendar" and b"DTSTART:20261201T072000Z" in ics.data


def test_confirming_twice_books_once_and_shows_the_same_receipt(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    check = book_to_check(client)
    first, second = confirm(client, check), confirm(client, check)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(active_bookings(app, ADULT)) == 5  # four seeded, one new


def test_a_reason_is_asked_only_when_the_time_type_asks_for_one(client: FlaskClient) -> None:
    login(client, ADULT)
    submit(client, f"{VC}boka/", {"approve": "yes"})
    submit(client, f"{VC}boka/typ/", {"typ": "provtagning"})
    day = client.get(f"{VC}boka/tid/")
    chosen = client.post(f"{VC}boka/tid/", data={"csrf_token": token(day.text), "tid": times_offered(day.text)[0]})
    assert chosen.headers["Location"].endswith("/boka/kontrollera/")
    assert "Orsak" not in client.get(f"{VC}boka/kontrollera/").text


def test_a_required_reason_and_its_bound(client: FlaskClient) -> None:
    login(client, ADULT)
    submit(client, f"{VC}boka/", {"approve": "yes"})
    submit(client, f"{VC}boka/typ/", {"typ": "lakarbesok"})
    day = client.get(f"{VC}boka/tid/")
    client.post(f"{VC}boka/tid/", data={"csrf_token": token(day.text), "tid": times_offered(day.text)[0]})
    empty = submit(client, f"{VC}boka/orsak/", {"orsak": "  "})
    assert empty.status_code == 200 and "<title>Fel: " in empty.text and "Skriv varför du vill boka" in empty.text
    long = submit(client, f"{VC}boka/orsak/", {"orsak": "x" * 201})
    assert "högst 200 tecken" in long.text
    assert client.get(f"{VC}boka/kontrollera/").status_code == 303


@pytest.mark.parametrize("step", ["typ/", "tid/", "orsak/", "kontrollera/"])
def test_villkor_cannot_be_skipped_for_boka(client: FlaskClient, step: str) -> None:
    login(client, ADULT)
    for method in ("get", "post"):
        response = getattr(client, method)(f"{VC}boka/{step}", data={"csrf_token": "x"} if method == "post" else None)
        if method == "post" and response.status_code == 400:
            continue  # a POST without this session's token is refused before the view
        assert response.status_code == 303 and response.headers["Location"].endswith(f"{VC}boka/")


def test_later_steps_posted_early_go_to_the_first_missing_one(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    approve = submit(client, f"{VC}boka/", {"approve": "yes"})
    csrf = token(client.get(f"{VC}boka/typ/").text)
    for step in ("tid/", "orsak/", "kontrollera/"):
        response = client.post(f"{VC}boka/{step}", data={"csrf_token": csrf, "tid": "2026-12-01T08:20:00+01:00",
                                                         "orsak": "x", "draft": "x"})
        assert response.status_code == 303 and response.headers["Location"].endswith("/boka/typ/"), step
    assert approve.headers["Location"].endswith("/boka/typ/")
    assert len(active_bookings(app, ADULT)) == 4


def test_every_booking_post_needs_the_csrf_token(client: FlaskClient) -> None:
    login(client, ADULT)
    check = book_to_check(client)
    posts = [f"{VC}boka/", f"{VC}boka/typ/", f"{VC}boka/tid/", f"{VC}boka/orsak/", f"{VC}boka/kontrollera/"]
    mine = client.get(VC).text
    key = re.search(r"/tidbok/([^/]+)/omboka/", mine).group(1)
    posts += [f"{VC}{key}/omboka/", f"{VC}{key}/omboka/tid/", f"{VC}{key}/omboka/kommentar/",
              f"{VC}{key}/omboka/kontrollera/", f"{VC}{key}/avboka/", f"{VC}{key}/avboka/kommentar/"]
    for url in posts:
        response = client.post(url, data={"approve": "yes", "draft": draft_key(check), "typ": "lakarbesok"})
        assert response.status_code == 400, url


def test_bad_times_are_refused_with_a_message_and_nothing_stored(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    submit(client, f"{VC}boka/", {"approve": "yes"})
    submit(client, f"{VC}boka/typ/", {"typ": "lakarbesok"})
    bad = [
        "2026-12-01T08:00:00+01:00",  # now: in the past
        "2026-11-30T08:20:00+01:00",  # yesterday
        "2026-12-02T08:00:00+01:00",  # taken
        "2026-12-24T08:20:00+01:00",  # closed day
        "2026-12-05T08:20:00+01:00",  # Saturday: outside the schedule
        "2026-12-01T08:10:00+01:00",  # not a start time
        "2026-12-01T13:00:00+01:00",  # another time type's time
        "2027-04-01T08:20:00+02:00",  # after the schedule's until
        "nonsense", "",
    ]
    for value in bad:
        response = submit(client, f"{VC}boka/tid/", {"tid": value})
        assert response.status_code == 200, value
        assert "<title>Fel: " in response.text and 'class="error-summary"' in response.text, value
    assert client.get(f"{VC}boka/kontrollera/").headers["Location"].endswith("/boka/tid/")


def test_times_and_days_beyond_three_months_are_refused_and_never_a_server_error(
    app: Flask, client: FlaskClient
) -> None:
    login(client, ADULT)
    submit(client, f"{VC}boka/", {"approve": "yes"})
    submit(client, f"{VC}boka/typ/", {"typ": "provtagning"})  # every Tuesday 13.00, no end date
    for day in ("2027-03-09", "2028-12-05", "9999-12-10", "9999-12-31"):
        assert client.get(f"{VC}boka/tid/?dag={day}").status_code == 200, day
    for value in ("2027-03-09T13:00:00+01:00", "2028-12-05T13:00:00+01:00", "9999-12-28T13:00:00+01:00"):
        response = submit(client, f"{VC}boka/tid/", {"tid": value})
        assert response.status_code == 200 and 'class="error-summary"' in response.text, value
    before = active_bookings(app)
    kept = submit(client, f"{VC}boka/tid/", {"tid": "2027-03-02T13:00:00+01:00"})  # the last Tuesday offered
    assert kept.status_code == 303
    assert client.get(f"{VC}boka/kontrollera/").status_code == 200
    assert active_bookings(app) == before  # choosing a time books nothing


def test_a_day_outside_the_schedule_in_the_url_says_so_and_shows_the_first_free_day(client: FlaskClient) -> None:
    login(client, ADULT)
    submit(client, f"{VC}boka/", {"approve": "yes"})
    submit(client, f"{VC}boka/typ/", {"typ": "lakarbesok"})
    for day, message in [("2026-12-24", "Det finns inga lediga tider torsdag 24 december 2026"),
                         ("2026-12-05", "Det finns inga lediga tider lördag 5 december 2026"),
                         ("2026-13-45", "Dagen finns inte"), ("<script>", "Dagen finns inte")]:
        page = client.get(f"{VC}boka/tid/?dag={day}")
        assert page.status_code == 200 and message in page.text
        assert "Lediga tider tisdag 1 december 2026" in page.text


def test_days_are_links_first_free_day_at_once_with_earlier_and_later(client: FlaskClient) -> None:
    login(client, ADULT)
    submit(client, f"{VC}boka/", {"approve": "yes"})
    submit(client, f"{VC}boka/typ/", {"typ": "lakarbesok"})
    first = client.get(f"{VC}boka/tid/").text
    assert "Lediga tider tisdag 1 december 2026" in first
    assert times_offered(first)[0] == "2026-12-01T08:20:00+01:00"
    assert "Senare dagar" in first and "Tidigare dagar" not in first
    later = re.search(r'href="([^"]+)">Senare dagar', first).group(1).replace("&amp;", "&")
    page = client.get(later).text
    assert "Tidigare dagar" in page and "?dag=2026-12-10" in later


def test_a_taken_time_at_confirmation_shows_the_day_again_with_the_contract_error(app: Flask) -> None:
    mine, theirs = app.test_client(), app.test_client()
    login(mine, ADULT)
    login(theirs, OTHER)
    start = "2026-12-01T08:40:00+01:00"
    check_mine = book_to_check(mine, start=start)
    check_theirs = book_to_check(theirs, start=start)
    assert confirm(theirs, check_theirs).status_code == 303
    lost = confirm(mine, check_mine)
    assert lost.status_code == 200
    assert TAKEN_TEXT in lost.text and "<title>Fel: " in lost.text
    assert "Lediga tider tisdag 1 december 2026" in lost.text and start not in times_offered(lost.text)
    assert [b for b in active_bookings(app) if "07:40" in b] == [f"vardcentralen-test lakarbesok 2026-12-01T07:40:00 {OTHER}"]


def test_a_guardian_books_for_a_child_and_age_barred_types_are_not_offered(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    submit(client, "/e-tjanster/ombud/", {"subject": CHILD})
    submit(client, f"{VC}boka/", {"approve": "yes"})
    types = client.get(f"{VC}boka/typ/").text
    assert "Läkarbesök" in types and "Provtagning" in types
    assert "Vaccination" not in types and "BVC-besök" not in types
    refused = submit(client, f"{VC}boka/typ/", {"typ": "vaccination"})
    assert refused.status_code == 200 and "<title>Fel: " in refused.text
    done = confirm(client, book_to_check(client, reason="Feber"))
    assert done.status_code == 303
    assert len(active_bookings(app, CHILD)) == 1
    submit(client, "/e-tjanster/ombud/", {"subject": TODDLER})
    submit(client, f"{VC}boka/", {"approve": "yes"})
    assert "BVC-besök" in client.get(f"{VC}boka/typ/").text


def test_mina_bokade_tider_lists_coming_times_with_omboka_and_avboka_where_allowed(client: FlaskClient) -> None:
    login(client, ADULT)
    page = client.get(VC).text
    assert "Mina bokade tider" in page
    assert "torsdag 3 december 2026 kl. 08.00" in page and "tisdag 1 december 2026 kl. 13.00" in page
    assert page.count(">Omboka<") == 2 and page.count(">Avboka<") == 2
    spec = client.get(SPEC).text
    assert "torsdag 10 december 2026 kl. 09.00" in spec and ">Avboka<" in spec and ">Omboka<" not in spec
    assert "kan inte ombokas här" in spec
    assert "mindre än 72 timmar kvar" in spec and "Ring mottagningen" in spec  # the one on 2 December


def assert_titled_like_the_steps(receipt: str, step: str, eservice: str) -> None:
    """The receipt's <title> is its <h1>, then the e-tjänst, as every step's is: it read "Din tid är
    bokad – <mottagning>" where the steps read "Kontrollera din bokning – Boka tid"."""
    for html in (receipt, step):
        title = html_lib.unescape(re.search(r"<title>([^<]*)</title>", html).group(1))
        h1 = re.search(r"<h1[^>]*>([^<]*)</h1>", html).group(1)
        assert title == f"{h1} – {eservice} – Hitta vård", title
        assert f'<p class="caption">{eservice} · Vårdcentralen Test</p>' in html


def key_on(app: Flask, subject: str, clinic: str, day: int) -> str:
    """The key of the subject's booking on `day` December 2026 at `clinic`."""
    now = datetime.datetime(2026, 12, 1, 7, 0, tzinfo=datetime.UTC)
    return next(b.key for b in app.extensions[EXTENSION].schedule(subject, clinic, now) if b.start.day == day)


def test_omboka_moves_the_booking_and_frees_the_old_time(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    key = key_on(app, ADULT, "vardcentralen-test", 3)
    for url in (f"{VC}{key}/omboka/tid/", f"{VC}{key}/omboka/kommentar/", f"{VC}{key}/omboka/kontrollera/"):
        assert client.get(url).headers["Location"].endswith(f"/{key}/omboka/")  # villkor first
    submit(client, f"{VC}{key}/omboka/", {"approve": "yes"})
    day = client.get(f"{VC}{key}/omboka/tid/?dag=2026-12-04")
    assert "Din nuvarande tid är" in day.text
    client.post(f"{VC}{key}/omboka/tid/", data={"csrf_token": token(day.text), "tid": "2026-12-04T09:00:00+01:00"})
    submit(client, f"{VC}{key}/omboka/kommentar/", {"kommentar": "Passar bättre"})
    check = client.get(f"{VC}{key}/omboka/kontrollera/")
    assert "fredag 4 december 2026 kl. 09.00" in check.text and "Omboka tiden" in check.text
    done = client.post(f"{VC}{key}/omboka/kontrollera/", data=hidden_fields(check.text))
    receipt = client.get(done.headers["Location"]).text
    assert "Din tid är ombokad" in receipt
    assert_titled_like_the_steps(receipt, check.text, "Omboka tid")
    booked = " ".join(active_bookings(app, ADULT))
    assert "2026-12-04T08:00:00" in booked and "2026-12-03T07:00:00" not in booked
    assert "Omboka tid" in client.get("/e-tjanster/inkorg/").text


def test_avboka_cancels_and_frees_the_time(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    key = re.search(r"/tidbok/([^/]+)/avboka/", client.get(VC).text).group(1)
    assert client.get(f"{VC}{key}/avboka/kommentar/").headers["Location"].endswith(f"/{key}/avboka/")
    submit(client, f"{VC}{key}/avboka/", {"approve": "yes"})
    too_long = submit(client, f"{VC}{key}/avboka/kommentar/", {"kommentar": "x" * 501, "draft": "x"})
    assert too_long.status_code == 200 and "högst 500 tecken" in too_long.text
    page = client.get(f"{VC}{key}/avboka/kommentar/")
    done = client.post(f"{VC}{key}/avboka/kommentar/", data={**hidden_fields(page.text), "kommentar": "Frisk"})
    receipt = client.get(done.headers["Location"]).text
    assert "Din tid är avbokad" in receipt
    assert_titled_like_the_steps(receipt, page.text, "Avboka tid")
    assert len(active_bookings(app, ADULT)) == 3
    again = client.post(f"{VC}{key}/avboka/kommentar/", data=hidden_fields(page.text))
    assert again.headers["Location"] == done.headers["Location"]


def test_a_time_that_may_not_be_rebooked_or_cancelled_cannot_be_by_url(app: Flask, client: FlaskClient) -> None:
    login(client, ADULT)
    no_rebook, too_late = key_on(app, ADULT, "specialisten", 10), key_on(app, ADULT, "specialisten", 2)
    assert client.get(f"{SPEC}{no_rebook}/omboka/").headers["Location"].endswith(SPEC)
    assert client.get(f"{SPEC}{too_late}/avboka/").headers["Location"].endswith(SPEC)
    assert len(active_bookings(app, ADULT)) == 4


def test_someone_elses_booking_is_404(client: FlaskClient) -> None:
    login(client, ADULT)
    key = re.search(r"/tidbok/([^/]+)/avboka/", client.get(VC).text).group(1)
    receipt = confirm(client, book_to_check(client)).headers["Location"]
    other = client.application.test_client()
    login(other, OTHER)
    for url in (f"{VC}{key}/omboka/", f"{VC}{key}/avboka/", f"{VC}{key}/avboka/kommentar/",
                f"{VC}{key}/kalender.ics", f"{SPEC}{key}/avboka/", receipt, f"{VC}nonexistent/omboka/"):
        assert other.get(url).status_code == 404, url


def test_a_mottagning_without_web_booking_has_no_tidbok_pages(client: FlaskClient) -> None:
    login(client, ADULT)
    assert client.get("/e-tjanster/ingen-sadan/tidbok/").status_code == 404
    assert client.get("/e-tjanster/ingen-sadan/tidbok/boka/").status_code == 404


def test_booking_confirmations_count_against_the_send_limit(tmp_path: Path) -> None:
    root = write_booking_content(tmp_path / "content")
    demo = write_demo(tmp_path / "demo.yaml")
    app = create_app({**config(root, demo, f"sqlite:///{tmp_path / 'limited.sqlite3'}"),
                      "FORMS_RATELIMIT_SEND": "1 per minute"})
    client = app.test_client()
    login(client, ADULT)
    assert confirm(client, book_to_check(client)).status_code == 303
    assert confirm(client, book_to_check(client)).status_code == 429
