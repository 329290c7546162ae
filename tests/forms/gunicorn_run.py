"""The forms app under real gunicorn workers, and a small HTTP client that behaves like a browser.

For the tests that need separate processes: the load test (several workers writing one store at
once), the shared rate limits, and the SIGKILL test. The server listens on 127.0.0.1 only and every
client loop is bounded; the server is killed (its whole process group) when the block ends.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from forms.identity.personnummer import luhn_ok

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"  # the only address these tests ever send to
COOKIE = "__Host-session"


T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def made_up_people(count: int) -> list[str]:
    """`count` different Luhn-valid personnummer of adults (born 1950–1989)."""
    people: list[str] = []
    number = 0
    while len(people) < count:
        birth = f"19{50 + number % 40:02d}{1 + number % 12:02d}{1 + number % 28:02d}"
        serial = f"{number // 40 % 1000:03d}"
        for check in "0123456789":
            if luhn_ok(birth[2:] + serial + check):
                people.append(f"{birth}-{serial}{check}")
                break
        number += 1
    return people


def demo_file(path: Path, people: list[str]) -> Path:
    lines = ["people:"] + [f'  - {{personnummer: "{p}", name: Testperson {i}}}' for i, p in enumerate(people)]
    path.write_text("\n".join([*lines, "prescriptions: []", ""]), encoding="utf-8")
    return path


@dataclass
class Gunicorn:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL to master and workers at once: no shutdown handler, no flush, nothing."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@contextlib.contextmanager
def gunicorn(
    env: Mapping[str, str],
    workers: int,
    log: Path,
    threads: int = 1,
    options: Sequence[str] = (),
    prefix: Sequence[str] = (),
    port: int | None = None,
) -> Iterator[Gunicorn]:
    """`gunicorn 'forms:create_app()'` with `env` on a free port of 127.0.0.1, until the block ends.

    `options` go to gunicorn as they are (e.g. `--access-logfile -`: the access log into `log` too);
    `prefix` runs gunicorn under another command (e.g. strace, which then leads the process group).
    """
    port = port or free_port()  # given when the app must know its own URL first (FORMS_PUBLIC_URL)
    command = [
        *prefix,
        sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
        "--bind", f"{HOST}:{port}", "--timeout", "60", "--graceful-timeout", "5", *options, "forms:create_app()",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: one killpg reaches every worker
        )
    server = Gunicorn(f"http://{HOST}:{port}", process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start within 30 s") from None
                time.sleep(0.1)
        yield server
    finally:
        server.kill()


def side_by_side(jobs: Sequence[Callable[[], T]], width: int) -> list[T]:
    """The jobs on `width` threads, their results in order; the first failure is raised.

    For the walk of many clients up to a race's starting line (log in, choose, check), which proves
    nothing itself: one request at a time it leaves all but one worker and one core idle. The race
    itself is still `at_once`, released together by a barrier.
    """
    with ThreadPoolExecutor(max_workers=width) as pool:
        return list(pool.map(lambda job: job(), jobs))


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("location", "")).path


@dataclass
class Browser:
    """One citizen's browser: its session cookie, plain HTTP/1.1, redirects not followed.

    A staff member's browser names the staff session's cookie (forms.staff.session.COOKIE).
    """

    base: str
    cookie: str | None = None
    cookie_name: str = COOKIE
    requests: int = 0
    statuses: list[int] = field(default_factory=list)

    def request(self, method: str, path: str, form: Mapping[str, str] | None = None) -> Response:
        self.requests += 1
        assert self.requests < 1000, "a client loop ran away"  # every loop bounded
        parts = urllib.parse.urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)  # a loaded 2-core machine: 30 s timed out twice
        headers = {"Host": "localhost"}
        if self.cookie:
            headers["Cookie"] = f"{self.cookie_name}={self.cookie}"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", errors="replace")
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie" and value.startswith(self.cookie_name + "="):
                    token = value.split(";", 1)[0].split("=", 1)[1]
                    self.cookie = token or None
            response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, text)
        finally:
            connection.close()
        self.statuses.append(response.status)
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: Mapping[str, str]) -> Response:
        return self.request("POST", path, form)

    def submit(self, path: str, form: Mapping[str, str]) -> Response:
        """GET the page for its CSRF token, then POST the form to it."""
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        return self.post(path, {"csrf_token": csrf_token(page.text), **form})


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_fields(page: str) -> dict[str, str]:
    """Every hidden field of the page, as a browser would post them with its form's button.

    A booking's confirmation carries what its page showed (the draft key, the digest `visad`, the
    booked start `bokad`), so a test posts them all rather than the fields it happens to know.
    """
    return {name: html.unescape(value) for name, value in HIDDEN.findall(page)}


def send_form(html: str) -> dict[str, str]:
    """What "Skicka" posts, as a browser would: every hidden field (the draft, the digest `visad`)."""
    assert re.search(r'name="draft" value="([^"]+)"', html), "no send form on the page"
    return hidden_fields(html)


def reference_in(location: str) -> str:
    match = re.search(r"/inkorg/(HV-\d{4}-[A-Z0-9]{6})/kvitto/$", location)
    assert match, location
    return match.group(1)
