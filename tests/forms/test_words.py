"""One way to write things across the product (issue 20, item 11): dates as people read them, and
error messages that end the same way.

An ISO date (2026-12-07) breaks across lines on a 375 px phone and reads as a record, not a day, so
a person reads "7 december 2026 kl. 02.15"; ISO stays only where a machine or the typing wants it
(an input's value, a hint showing how to type a date, CSV and .ics files).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import forms
from forms import create_app
from forms.cases.engine import messages
from tests.forms.booking_support import ADULT as BOOKER
from tests.forms.booking_support import VC, book_to_check, config, confirm, write_booking_content, write_demo
from tests.forms.booking_support import login as booking_login
from tests.forms.conftest import ADULT, intyg_to_check, login, send_form_data
from tests.forms.staff_support import BASE, CLINIC, RECEIVER, act, case_url, staff_login

ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
TYPING_HINT = re.compile(r"(till exempel|som) 20\d\d-\d\d-\d\d", re.IGNORECASE)


class _VisibleText(HTMLParser):
    """The text a person reads: no attribute values (an input's value, a link's href), no
    <textarea> (typed text), <script> or <style>, no <title> (the tab, not the page)."""

    HIDDEN = frozenset({"textarea", "script", "style", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in self.HIDDEN

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in self.HIDDEN

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def iso_dates_read(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    text = TYPING_HINT.sub("", " ".join(parser.parts))
    return ISO_DATE.findall(text)


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.text


def test_a_case_journey_shows_no_iso_date_to_the_citizen_or_the_staff(staff_app: Flask) -> None:
    citizen = staff_app.test_client()
    login(citizen, ADULT)
    check = intyg_to_check(citizen)
    sent = citizen.post(f"{BASE}/{CLINIC}/begar-intyg/skicka/", data=send_form_data(check))
    receipt = _page(citizen, sent.headers["Location"])
    reference = re.search(r"HV-\d{4}-[0-9A-Z]+", receipt).group(0)
    staff = staff_app.test_client()
    staff_login(staff, RECEIVER)
    pages = {
        "Kontrollera dina svar": check,
        "kvittot": receipt,
        "personalens ärendelista": _page(staff, f"{BASE}/personal/{CLINIC}/arenden/"),
        "personalens ärende": _page(staff, case_url(reference)),
    }
    assert act(staff, reference, "delsvar", text="Vi återkommer.").status_code in (200, 303)
    pages["inkorgen"] = _page(citizen, f"{BASE}/inkorg/")
    pages["ärendet i inkorgen"] = _page(citizen, f"{BASE}/inkorg/{reference}/")
    assert "kl." in pages["ärendet i inkorgen"]  # the dates are there, in words
    assert {name: iso_dates_read(html) for name, html in pages.items() if iso_dates_read(html)} == {}


@pytest.fixture
def booking_client(tmp_path: Path) -> FlaskClient:
    root = write_booking_content(tmp_path / "content")
    demo = write_demo(tmp_path / "demo.yaml")
    return create_app(config(root, demo, f"sqlite:///{tmp_path / 'store.sqlite3'}")).test_client()


def test_a_booking_journey_shows_no_iso_date(booking_client: FlaskClient) -> None:
    booking_login(booking_client, BOOKER)
    check = book_to_check(booking_client, start="2026-12-01T08:20:00+01:00")
    done = confirm(booking_client, check)
    pages = {
        "Kontrollera din bokning": check,
        "kvittot": _page(booking_client, done.headers["Location"]),
        "Mina bokade tider": _page(booking_client, VC),
        "Bokade tider": _page(booking_client, f"{BASE}/bokade-tider/"),
        "inkorgen": _page(booking_client, f"{BASE}/inkorg/"),
    }
    assert "1 december 2026 kl. 08.20" in pages["kvittot"]
    assert {name: iso_dates_read(html) for name, html in pages.items() if iso_dates_read(html)} == {}


def test_the_scan_sees_an_iso_date_in_text_but_not_in_an_input_or_a_typing_hint() -> None:
    assert iso_dates_read("<p>Skickat 2026-12-07 02.15</p>") == ["2026-12-07"]
    assert iso_dates_read('<input name="dag" value="2026-12-07"><p class="hint">Till exempel 2027-01-31</p>') == []


# Error messages ------------------------------------------------------------------------------------

IMPERATIVE = re.compile(r"^(Skriv|Välj|Kryssa|Fyll|Beskriv|Ta bort|Kontrollera)\b")
SKIP = ("forms.serve", "forms.identity.saml.devidp", "forms.store.migrations", "forms.notices.__main__")


def _error_constants() -> dict[str, str]:
    """Every module-level message constant that tells the reader what to do ("Skriv …", "Välj …")."""
    found: dict[str, str] = {}
    for module in pkgutil.walk_packages(forms.__path__, "forms."):
        if module.name.startswith(SKIP):
            continue
        loaded = importlib.import_module(module.name)
        for name, value in vars(loaded).items():
            if name.isupper() and isinstance(value, str) and IMPERATIVE.match(value):
                found[f"{module.name}.{name}"] = value
    return found


def test_every_error_message_constant_ends_with_a_full_stop() -> None:
    constants = _error_constants()
    assert len(constants) >= 15  # the scan finds the messages, not nothing
    assert {name: text for name, text in constants.items() if not text.endswith(".")} == {}


def test_the_form_engines_made_messages_end_with_a_full_stop() -> None:
    made = [
        messages.write_message("Hur tar du läkemedlet?"), messages.write_message("Produktnamn"),
        messages.write_message("Beskriv dina besvär"), messages.write_message("När började besvären?"),
        messages.number_range(1, 10), messages.number_range(0, None), messages.number_range(None, 5),
        messages.number_range(None, None), messages.choose_at_least(2), messages.choose_at_most(2),
        messages.choose_at_most(1), messages.add_at_least(1, "Hjälpmedel"), messages.at_most_medicines(3),
        messages.too_long(10, 12),
    ]
    assert [text for text in made if not text.endswith(".")] == []
