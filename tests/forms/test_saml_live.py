"""The SAML logins between real processes: the dev IdP (`python -m forms.identity.saml.devidp`) on
its own port and the app under gunicorn, exchanging metadata both ways over HTTP, as
scripts/run-saml.sh runs them. One IdP and one gunicorn for the module.

Over plain HTTP: a citizen and a member of staff log in through the IdP's pages and log out with
the single-logout round trip. In Chromium with JavaScript off (marked `browser`): a citizen logs
in, sends a case and logs out, with axe on the app's pages the IdP leads to, the refusal page
"Inloggningen misslyckades" included.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest

from forms.identity.saml.devidp.keys import make_key_pair
from tests.forms.conftest import ADULT, csrf_token
from tests.forms.gunicorn_run import HOST, ROOT, free_port, gunicorn, hidden_fields
from tests.forms.journey import Journey
from tests.forms.staff_support import BOTH, RECEIVER

E = "/e-tjanster"
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


@dataclass
class Live:
    app: str  # http://127.0.0.1:PORT
    idp: str  # http://127.0.0.1:PORT, no trailing slash
    idp_log: Path


@contextlib.contextmanager
def dev_idp(folder: Path, port: int, app: str, demo: Path) -> Iterator[tuple[str, Path]]:
    """The dev IdP process until the block ends; yields its base URL and its metadata file."""
    metadata, log = folder / "idp.xml", folder / "idp.log"
    command = [
        sys.executable, "-m", "forms.identity.saml.devidp", "--port", str(port), "--keys", str(folder / "idp"),
        "--write-metadata", str(metadata), "--demo-data", str(demo),
        "--sp-metadata", f"{app}{E}/saml/metadata/", "--sp-metadata", f"{app}{E}/personal/saml/metadata/",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:  # bounded: the process writes its metadata, then listens
            if process.poll() is not None:
                raise RuntimeError(f"the dev IdP stopped at start:\n{log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
                if metadata.is_file():
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the dev IdP did not start within 30 s")
            time.sleep(0.1)
        yield f"http://{HOST}:{port}", log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


BOOKING = """\
  - booking: boka
    villkor: Villkor för att boka.
"""
TIDBOK = """
tidbok:
  - clinic: testmottagningen
    time_types:
      - {id: samtal, name: Samtal, minutes: 20, reason: none, cancel_hours: 24}
    schedule:
      - {time_type: samtal, days: [mån, tis, ons, tor, fre, lör, sön], start: "00:00", end: "23:40", from: 2026-01-01}
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, content_dir: Path, staff_demo_file: Path) -> Iterator[Live]:
    """The fixture content and staff, with web booking at Testmottagningen every day, on the real
    clock (FORMS_NOW needs the test login): whenever the test runs, the first day shown has times."""
    folder = tmp_path_factory.mktemp("saml-live")
    content = folder / "content"
    shutil.copytree(content_dir, content)
    with (content / "clinics" / "testmottagningen.yaml").open("a", encoding="utf-8") as clinic:
        clinic.write(BOOKING)
    demo = folder / "demo.yaml"
    demo.write_text(staff_demo_file.read_text(encoding="utf-8") + TIDBOK, encoding="utf-8")
    make_key_pair(folder / "sp.key", folder / "sp.crt", "hittavard-sp")
    app_port, idp_port = free_port(), free_port()
    app = f"http://{HOST}:{app_port}"
    with dev_idp(folder, idp_port, app, demo) as (idp, idp_log):
        env = {
            "FORMS_CONTENT_DIR": str(content), "FORMS_DEMO_DATA": str(demo),
            "FORMS_DATABASE_URL": f"sqlite:///{folder / 'cases.sqlite3'}", "FORMS_SECRET_KEY": "saml-live",
            "FORMS_TEST_LOGIN": "0", "FORMS_PUBLIC_URL": app,
            "FORMS_SAML_IDP_METADATA": str(folder / "idp.xml"), "FORMS_STAFF_SAML_IDP_METADATA": str(folder / "idp.xml"),
            "FORMS_SAML_SP_KEY": str(folder / "sp.key"), "FORMS_SAML_SP_CERT": str(folder / "sp.crt"),
        }
        with gunicorn(env, workers=2, log=folder / "gunicorn.log", threads=2, port=app_port):
            yield Live(app, idp, idp_log)


@dataclass
class Agent:
    """A browser over plain HTTP: cookies kept per origin (Secure ones too, as browsers do for
    127.0.0.1), redirects not followed, every loop bounded."""

    jar: dict[str, dict[str, str]] = field(default_factory=dict)
    requests: int = 0

    def request(self, method: str, url: str, form: Mapping[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body)."""
        self.requests += 1
        assert self.requests < 200, "a client loop ran away"
        parts = urllib.parse.urlsplit(url)
        assert parts.hostname == HOST, url  # nothing ever leaves 127.0.0.1
        cookies = self.jar.setdefault(parts.netloc, {})
        headers = {"Host": parts.netloc}
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request(method, urllib.parse.urlunsplit(("", "", parts.path, parts.query, "")), body, headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", errors="replace")
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    for morsel in SimpleCookie(value).values():
                        if morsel.value and morsel["max-age"] != "0":
                            cookies[morsel.key] = morsel.value
                        else:
                            cookies.pop(morsel.key, None)
            location = urllib.parse.urljoin(url, raw.getheader("Location") or "") if raw.getheader("Location") else ""
            return raw.status, location, text
        finally:
            connection.close()

    def get(self, url: str) -> tuple[int, str, str]:
        return self.request("GET", url)


def through_the_idp(agent: Agent, live: Live, start: str, who: str) -> str:
    """From the app's login through the IdP's pages and back to the ACS: where the app sends us."""
    status, location, _ = agent.get(live.app + start)
    assert status == 303 and location.startswith(live.idp + "/sso?SAMLRequest="), (status, location)
    status, _, page = agent.get(location)
    assert status == 200 and "Välj vem du vill logga in som" in page, page[:500]
    status, _, page = agent.request("POST", live.idp + "/sso", {**hidden_fields(page), "who": who})
    assert status == 200 and "Fortsätt till e-tjänsten" in page, page[:500]
    acs = html.unescape(FORM_ACTION.search(page).group(1))  # type: ignore[union-attr]
    status, location, _ = agent.request("POST", acs, hidden_fields(page))
    assert status == 303, (status, acs)
    return location


def logged_out_through_the_idp(agent: Agent, live: Live, logout: str, page: str) -> str:
    """Logga ut, the LogoutRequest to the IdP, its LogoutResponse back: where the app ends."""
    status, location, _ = agent.request("POST", live.app + logout, {"csrf_token": csrf_token(page)})
    assert status == 303 and location.startswith(live.idp + "/slo?SAMLRequest="), (status, location)
    status, location, _ = agent.get(location)
    assert status == 303 and location.startswith(live.app + E) and "SAMLResponse=" in location, (status, location)
    status, location, _ = agent.get(location)
    assert status == 303, status
    return location


def test_a_citizen_logs_in_and_out_through_the_idp_process(live: Live) -> None:
    agent = Agent()
    landed = through_the_idp(agent, live, f"{E}/saml/logga-in/?next={E}/inkorg/", ADULT)
    assert landed == f"{live.app}{E}/inkorg/"
    status, _, inbox = agent.get(landed)
    assert status == 200 and "Inloggad" in inbox
    assert logged_out_through_the_idp(agent, live, f"{E}/logga-ut/", inbox) == f"{live.app}{E}/utloggad/"
    status, location, _ = agent.get(f"{live.app}{E}/inkorg/")
    assert status == 303 and "/logga-in/" in location  # the session ended on the node that holds it


def test_a_member_of_staff_logs_in_and_out_through_the_idp_process(live: Live) -> None:
    agent = Agent()
    landed = through_the_idp(agent, live, f"{E}/personal/saml/logga-in/", RECEIVER)
    assert landed == f"{live.app}{E}/personal/"
    status, page = 303, ""
    url = landed
    for _ in range(3):  # the list, by way of the one mottagning this person works at
        status, location, page = agent.get(url)
        if status != 303:
            break
        url = location
    assert status == 200 and "Rita Mottagare" in page and "personal/logga-ut/" in page
    ended = logged_out_through_the_idp(agent, live, f"{E}/personal/logga-ut/", page)
    assert ended == f"{live.app}{E}/personal/utloggad/"
    status, location, _ = agent.get(f"{live.app}{E}/personal/")
    assert status == 303 and "logga-in" in location


def slo_requests(live: Live) -> int:
    """How many LogoutRequests the IdP process has taken so far (its access log)."""
    return live.idp_log.read_bytes().count(b"GET /slo?SAMLRequest=")


def citizen_sends_books_and_logs_out(j: Journey, live: Live) -> tuple[str, str]:
    """(a) Log in at an e-service through the IdP, send a case, book a time, Logga ut through the
    IdP. Returns the case's reference and the IdP's answer page (kept, to post it once more)."""
    page = j.page
    j.goto(f"{E}/testmottagningen/begar-intyg/")
    assert j.h1() == "Logga in på test-IdP:n" and page.url.startswith(live.idp + "/sso?")
    j.follow(page.locator(f"button[name=who][value='{ADULT}']"))
    assert j.h1() == "Fortsätt till e-tjänsten"
    answer = page.content()
    j.click("Fortsätt till e-tjänsten")
    assert page.url == f"{live.app}{E}/testmottagningen/begar-intyg/" and "Inloggad" in page.inner_text("body")
    j.audit("villkor")
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")
    j.check("Körkortsintyg")
    j.check("Nytt intyg")
    j.click("Fortsätt")
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera dina svar"
    j.click("Skicka")
    assert j.h1() == "Ditt ärende är skickat"
    reference = j.reference()
    j.goto(f"{E}/testmottagningen/tidbok/boka/")  # logged in already: no second trip to the IdP
    assert j.h1() == "Boka tid"
    j.check("Jag har läst och godkänner villkoren")
    j.click("Fortsätt")
    if j.h1() == "Välj typ av tid":
        j.check("Samtal")
        j.click("Fortsätt")
    assert j.h1() == "Välj dag och tid"
    page.locator("main input[type=radio]").first.check()  # the first free time, whatever the day
    j.click("Fortsätt")
    assert j.h1() == "Kontrollera din bokning" and "Samtal" in j.text()
    j.click("Boka tiden")
    assert j.h1() == "Din tid är bokad"
    before = slo_requests(live)
    j.click("Logga ut")  # the header's button: the SLO round trip through the IdP
    assert page.url == f"{live.app}{E}/utloggad/" and j.h1() == "Du är utloggad"
    assert slo_requests(live) == before + 1
    j.audit("utloggad")
    j.goto(f"{E}/inkorg/")
    assert page.url.startswith(live.idp + "/sso?")  # logged out here: the inbox asks the IdP again
    return reference, answer


def refused_again(j: Journey, answer: str, acs: str, label: str) -> None:
    """The IdP's answer posted once more: the request it answers is used up."""
    j.page.set_content(answer)
    j.click("Fortsätt till e-tjänsten")
    assert j.page.url == acs and j.h1() == "Inloggningen misslyckades"
    assert "Inloggad" not in j.page.inner_text("body")
    j.audit(label)


def staff_answer_and_log_out(j: Journey, live: Live, reference: str) -> str:
    """(b) Staff log in through the IdP's SITHS side, open and answer the citizen's case, Logga ut
    through the IdP. Returns the IdP's answer page."""
    page = j.page
    j.goto(f"{E}/personal/")
    assert j.h1() == "Logga in på test-IdP:n (personal)" and page.url.startswith(live.idp + "/sso?")
    j.follow(page.locator(f"button[name=who][value='{BOTH}']"))
    answer = page.content()
    j.click("Fortsätt till e-tjänsten")
    assert page.url == f"{live.app}{E}/personal/mottagningar/"  # Berit works at two mottagningar
    j.audit("personal-mottagningar")
    j.click("Testmottagningen", role="link")
    j.follow(page.get_by_role("link", name=re.compile(reference)))
    assert reference in j.text()
    j.fill("Svar till invånaren", "Hej! Intyget är klart.")
    j.click("Skicka svar")
    assert "Svaret är skickat till invånaren." in j.text()
    before = slo_requests(live)
    j.click("Logga ut")
    assert page.url == f"{live.app}{E}/personal/utloggad/"
    assert slo_requests(live) == before + 1
    j.audit("personal-utloggad")
    j.goto(f"{E}/personal/")
    assert page.url.startswith(live.idp + "/sso?")
    return answer


@pytest.mark.browser
def test_a_citizen_and_then_staff_through_the_local_idp(live: Live, page: Any, axe_page: Any) -> None:
    """A citizen sends a case and books a time, staff answer that case; each logs in through the
    dev IdP and out through its single logout. axe on each app page the IdP leads to: where each
    login lands, the logged-out pages, and the refusal page a replayed answer gets (both sides)."""
    j = Journey("saml", page, axe_page, live.app, {})
    reference, citizen_answer = citizen_sends_books_and_logs_out(j, live)
    refused_again(j, citizen_answer, f"{live.app}{E}/saml/acs/", "misslyckades")
    j.click("Försök logga in igen", role="link")
    assert page.url.startswith(live.idp + "/sso?")
    staff_answer = staff_answer_and_log_out(j, live, reference)
    refused_again(j, staff_answer, f"{live.app}{E}/personal/saml/acs/", "personal-misslyckades")
