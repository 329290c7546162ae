"""No personnummer in any URL the app emits (issue 19 item 8).

The granskare's log search was a GET form and its CSV link carried the same query, so a citizen's
personnummer landed in proxy and server access logs and in browser history. These tests crawl the
staff and citizen pages as each role and as citizens, and scan every URL the responses emit: each
href, src, form action and Location, and the URL a GET form would make from its fields. Any
12-digit (with or without a dash) or 10-digit number in one fails, and so does a GET form with a
field for a personnummer. Then the log search journey itself.
"""

from __future__ import annotations

import datetime
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlencode, urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from forms.booking.common import EXTENSION
from forms.booking.interface import Request
from forms.platform.services import STOCKHOLM
from tests.forms import booking_support
from tests.forms.conftest import ADULT, csrf_token, login
from tests.forms.staff_support import (
    ADMIN,
    AUDITOR,
    BASE,
    BOTH,
    CLINIC,
    HANDLER,
    RECEIVER,
    act,
    send_case,
    staff_login,
)
from tests.forms.tidbok_staff_support import RECEIVER as DAY_RECEIVER
from tests.forms.tidbok_staff_support import VC, make_tidbok_staff_app, staff_client

PERSONNUMMER = re.compile(r"(?<!\d)(?:\d{8}-?\d{4}|\d{6}[-+]?\d{4})(?!\d)")
# A theme asset's fingerprint (sitegen.site.theme: the first 10 hex digits of its content's sha256)
# is all digits about once in a hundred stylesheets, and is no person's number: left out of the scan.
FINGERPRINT = re.compile(r"\.[0-9a-f]{10}\.(?:css|svg|ico|png)\b")
PERSONAL_FIELDS = {"personnummer", "pnr", "subject", "sok"}  # sok: the case list's search
AVOID = ("logga-ut", "utloggad")  # ending the session would end the crawl


class Emitted(HTMLParser):
    """Every URL a page emits, and the URL each GET form would make."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.get_forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._form: tuple[str, list[tuple[str, str]]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        for name in ("href", "src", "action", "formaction"):
            if name in found:
                self.urls.append(found[name])
        if tag == "form" and found.get("method", "get").lower() == "get":
            self._form = (found.get("action", ""), [])
            self.get_forms.append(self._form)
        elif tag == "form":
            self._form = None
        elif tag in ("input", "select", "textarea", "button") and self._form is not None and found.get("name"):
            self._form[1].append((found["name"], found.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def problems_in(url: str, response) -> list[str]:  # type: ignore[no-untyped-def]
    """What in this response would put personal data in a URL."""
    found: list[str] = []
    emitted = [response.headers.get("Location", "")]
    if response.mimetype == "text/html":
        parser = Emitted()
        parser.feed(response.text)
        emitted += parser.urls
        for action, fields in parser.get_forms:
            named = [name for name, _ in fields if name.lower() in PERSONAL_FIELDS]
            if named:
                found.append(f"{url}: a GET form ({action or url}) asks for {named}")
            emitted.append(f"{action}?{urlencode(fields)}")
    for emitted_url in emitted:
        if PERSONNUMMER.search(FINGERPRINT.sub(".", unquote(emitted_url))):
            found.append(f"{url}: emits {emitted_url}")
    return found


def crawl(client: FlaskClient, starts: list[str], limit: int = 200) -> tuple[set[str], list[str]]:
    """GET every page of the app reachable from `starts` by links (the app's own, under BASE)."""
    seen: set[str] = set()
    queue = deque(starts)
    problems: list[str] = []
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        problems += problems_in(url, response)
        if response.mimetype != "text/html":
            continue
        parser = Emitted()
        parser.feed(response.text)
        for link in [*parser.urls, response.headers.get("Location", "")]:
            target = urljoin(url, link)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith(BASE + "/"):
                continue
            if any(word in target for word in AVOID) or target.endswith((".css", ".svg", ".ico", ".png")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen, problems


def test_no_staff_or_citizen_page_emits_a_url_with_a_personnummer(staff_app: Flask) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    receiver = staff_app.test_client()
    staff_login(receiver, RECEIVER)
    act(receiver, reference, "fordela", handler=HANDLER)
    act(receiver, reference, "delsvar", text="Vi tittar på det.")
    handler = staff_app.test_client()
    staff_login(handler, HANDLER)
    act(handler, reference, "svara", text="Svar", asks_reply="1")
    problems: list[str] = []
    pages = 0
    for who in (RECEIVER, HANDLER, BOTH, ADMIN, AUDITOR):
        client = staff_app.test_client()
        staff_login(client, who)
        seen, found = crawl(client, [f"{BASE}/personal/", f"{BASE}/personal/{CLINIC}/"])
        problems += found
        pages += len(seen)
    citizen = staff_app.test_client()
    login(citizen, ADULT)
    seen, found = crawl(citizen, [f"{BASE}/", f"{BASE}/inkorg/", f"{BASE}/mina-uppgifter/"])
    problems += found
    pages += len(seen)
    assert any(reference in url for url in seen)  # the crawl reached the citizen's case
    assert pages > 40, pages
    assert problems == []


def test_the_tidbok_day_and_the_citizens_booked_times_emit_no_personnummer(tmp_path: Path) -> None:
    app = make_tidbok_staff_app(tmp_path)
    start = datetime.datetime(2026, 12, 3, 8, 20, tzinfo=STOCKHOLM)  # beside the demo's booking of ADULT at 08.00
    result = app.extensions[EXTENSION].make_booking(
        Request(clinic=VC, time_type="lakarbesok", start=start, subject=booking_support.OTHER,
                booked_by=booking_support.OTHER, reason="Feber", request_key="k1"),
        booking_support.NOW,
    )
    assert result.ok, result
    staff = staff_client(app, DAY_RECEIVER)
    _seen, problems = crawl(staff, [f"{BASE}/personal/{VC}/tidbok/?dag=2026-12-03"], limit=40)
    day = staff.get(f"{BASE}/personal/{VC}/tidbok/?dag=2026-12-03").text
    assert ADULT in day and booking_support.OTHER in day  # a page that shows patients
    citizen = app.test_client()
    booking_support.login(citizen, ADULT)
    _seen, found = crawl(citizen, [f"{BASE}/", f"{BASE}/{VC}/tidbok/"], limit=60)
    assert problems + found == []


def test_the_log_search_and_its_export_keep_the_personnummer_out_of_every_url(staff_app: Flask) -> None:
    reference = send_case(staff_app.test_client(), ADULT)
    receiver = staff_app.test_client()
    staff_login(receiver, RECEIVER)
    act(receiver, reference, "anteckning", text="Läst")
    auditor = staff_app.test_client()
    staff_login(auditor, AUDITOR)
    url = f"{BASE}/personal/{CLINIC}/logg/"
    form = auditor.get(url)
    assert re.search(r'<form method="post" action="[^"]*/logg/"', form.text)
    assert problems_in(url, form) == []
    results = auditor.post(url, data={"csrf_token": csrf_token(form.text), "personnummer": ADULT})
    assert results.status_code == 200 and reference in results.text
    assert problems_in(url, results) == []
    export_form = re.search(r'<form method="post" action="([^"]*logg\.csv)">(.*?)</form>', results.text, re.S)
    assert export_form and f'name="personnummer" value="{ADULT}"' in export_form.group(2)  # in the body
    export = auditor.post(export_form.group(1), data={"csrf_token": csrf_token(results.text), "personnummer": ADULT})
    assert export.mimetype == "text/csv" and reference in export.text
    # An address that carries a query, as the old links did: neither read, searched nor shown back.
    old = auditor.get(f"{url}?personnummer={ADULT}")
    assert old.status_code == 200 and ADULT not in old.text and reference not in old.text
    assert auditor.get(f"{BASE}/personal/{CLINIC}/logg.csv?personnummer={ADULT}").status_code == 405


def test_the_case_list_search_keeps_the_personnummer_out_of_every_url(staff_app: Flask) -> None:
    """The list's search by ärendenummer or personnummer (issue 20 item 8) is a POST to the list's
    own address, and neither its form nor its results emit a URL with the personnummer."""
    reference = send_case(staff_app.test_client(), ADULT)
    receiver = staff_app.test_client()
    staff_login(receiver, RECEIVER)
    url = f"{BASE}/personal/{CLINIC}/arenden/"
    form = receiver.get(url)
    assert re.search(r'<form method="post" action="[^"]*/arenden/"[^>]*>\s*<input type="hidden" name="csrf_token"', form.text)
    assert 'name="sok"' in form.text and problems_in(url, form) == []
    for typed in (ADULT, reference, "123"):  # a personnummer, an ärendenummer, a mistake
        results = receiver.post(url, data={"csrf_token": csrf_token(form.text), "sok": typed})
        assert results.status_code in (200, 422) and problems_in(url, results) == []
        assert (reference in results.text) == (typed != "123")
