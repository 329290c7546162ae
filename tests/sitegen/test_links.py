"""`sitegen check --links` against a server on 127.0.0.1 that misbehaves in every way a link can.

Nothing here may leave the machine: an autouse guard fails any request to an address that is not
on the loopback interface, so a demo address (*.example.se) can never be fetched by the suite.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.editor import links
from sitegen.editor.links import LinkCache, check_url, check_urls
from tests.sitegen.editor_fixtures import CLINIC, TODAY, guided_content, line_of

SLOW_SECONDS = 3.0
TIMEOUT = 0.5
HANG = 20.0  # only stops a hang: nothing here waits this long when it works
TOGETHER = 6  # addresses that must be asked at the same time
TOGETHER_WAIT = 5.0  # how long the first of them waits for the others (they come within milliseconds)


class _Handler(BaseHTTPRequestHandler):
    """good, missing, slow, redirecting, looping, HEAD-refusing and erroring addresses."""

    log: list[tuple[str, str]]

    def _reply(self) -> None:
        self.server.log.append((self.command, self.path))  # type: ignore[attr-defined]
        path = self.path
        if path == "/good":
            self._send(200)
        elif path == "/missing":
            self._send(404)
        elif path == "/gone":
            self._send(410)
        elif path == "/error":
            self._send(500)
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._send(200)
        elif path.startswith("/together"):  # answers only once all of them have arrived: concurrency
            try:
                self.server.together.wait(timeout=TOGETHER_WAIT)  # type: ignore[attr-defined]
            except threading.BrokenBarrierError:
                self._send(503)  # asked one after another: the first waited in vain
            else:
                self._send(200)
        elif path == "/redirect":
            self._send(302, location="/good")
        elif path == "/moved":
            self._send(301, location="/good")
        elif path == "/redirect-to-missing":
            self._send(307, location="/missing")
        elif path == "/loop-a":
            self._send(302, location="/loop-b")
        elif path == "/loop-b":
            self._send(302, location="/loop-a")
        elif path.startswith("/chain/"):  # /chain/1 → /chain/2 → … never ends, never repeats
            self._send(302, location=f"/chain/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/no-head":
            self._send(405 if self.command == "HEAD" else 200)
        elif path == "/head-501":
            self._send(501 if self.command == "HEAD" else 200)
        elif path == "/login":
            self._send(401)
        else:
            self._send(404)

    def _send(self, status: int, location: str | None = None) -> None:
        body = b"" if self.command == "HEAD" else b"<!DOCTYPE html><title>x</title>"
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the checker gave up waiting (the timeout test): nothing to answer

    do_GET = _reply
    do_HEAD = _reply

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


class LocalServer:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True  # a sleeping /slow must not hold up shutdown
        self.server.log = []  # type: ignore[attr-defined]
        self.server.together = threading.Barrier(TOGETHER)  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def log(self) -> list[tuple[str, str]]:
        return self.server.log  # type: ignore[attr-defined,no-any-return]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    local.thread.start()
    yield local
    local.server.shutdown()
    local.server.server_close()


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail, without sending anything, any request that would leave 127.0.0.1."""
    real = links._request

    def guarded(url: str, method: str, timeout: float) -> tuple[int, str | None]:
        assert links._is_loopback(url), f"the test suite tried to contact {url}"
        return real(url, method, timeout)

    monkeypatch.setattr(links, "_request", guarded)


# One address ----------------------------------------------------------------------------------


def test_a_good_link_is_ok_with_one_head_request(server: LocalServer) -> None:
    result = check_url(server.url("/good"), TIMEOUT)
    assert (result.ok, result.status, result.moved_to) == (True, 200, None)
    assert server.log == [("HEAD", "/good")]


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [("/missing", 404, "HTTP 404 (sidan finns inte)"), ("/gone", 410, "HTTP 410"), ("/error", 500, "HTTP 500")],
)
def test_a_missing_page_is_broken_with_its_status(server: LocalServer, path: str, status: int, text: str) -> None:
    result = check_url(server.url(path), TIMEOUT)
    assert (result.ok, result.status, result.level) == (False, status, "error")
    assert result.error is not None and result.error.startswith(text)


def test_a_failed_head_is_asked_again_with_get(server: LocalServer) -> None:
    check_url(server.url("/missing"), TIMEOUT)
    assert server.log == [("HEAD", "/missing"), ("GET", "/missing")]


@pytest.mark.parametrize("path", ["/no-head", "/head-501"])
def test_head_refused_then_get(server: LocalServer, path: str) -> None:
    result = check_url(server.url(path), TIMEOUT)
    assert (result.ok, result.status) == (True, 200)
    assert server.log == [("HEAD", path), ("GET", path)]


def test_a_page_that_asks_for_login_is_not_broken(server: LocalServer) -> None:
    assert check_url(server.url("/login"), TIMEOUT).ok


def test_a_slow_server_is_given_up_on_after_the_timeout(server: LocalServer) -> None:
    """The server answers 200 after 3 s: only a checker that gave up at 0.5 s reports it broken.

    How long giving up takes is a speed figure: bench/suite_speeds.py prints it.
    """
    result = check_url(server.url("/slow"), TIMEOUT)
    assert (result.ok, result.status) == (False, None)
    assert result.error == "svarade inte inom 0.5 s"


def test_a_temporary_redirect_is_followed(server: LocalServer) -> None:
    result = check_url(server.url("/redirect"), TIMEOUT)
    assert (result.ok, result.status, result.moved_to) == (True, 200, None)
    assert server.log == [("HEAD", "/redirect"), ("HEAD", "/good")]


def test_a_permanent_redirect_is_followed_and_remembered(server: LocalServer) -> None:
    result = check_url(server.url("/moved"), TIMEOUT)
    assert (result.ok, result.moved_to) == (True, server.url("/good"))


def test_a_redirect_to_a_missing_page_is_broken(server: LocalServer) -> None:
    result = check_url(server.url("/redirect-to-missing"), TIMEOUT)
    assert (result.ok, result.status) == (False, 404)


def test_a_redirect_loop_is_broken_after_one_round(server: LocalServer) -> None:
    result = check_url(server.url("/loop-a"), TIMEOUT)
    assert not result.ok
    assert result.error == (
        f"omdirigeringarna går runt i en slinga: {server.url('/loop-a')} → {server.url('/loop-b')} → "
        f"{server.url('/loop-a')}"
    )
    assert len(server.log) == 2


def test_an_endless_chain_of_redirects_stops(server: LocalServer) -> None:
    result = check_url(server.url("/chain/1"), TIMEOUT, max_redirects=5)
    assert (result.ok, result.error) == (False, "för många omdirigeringar (fler än 5)")
    assert len(server.log) == 6


def test_a_closed_port_is_reported() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = check_url(f"http://127.0.0.1:{port}/", TIMEOUT)
    assert (result.ok, result.error) == (False, "servern vägrar ansluta")


# Many addresses, the cache ---------------------------------------------------------------------


def test_links_are_checked_concurrently(server: LocalServer) -> None:
    """Each address answers only when all six are being asked at once: one at a time, none is ok."""
    urls = [server.url(f"/together/{n}") for n in range(TOGETHER)]
    run = check_urls(urls, HANG)
    assert {url: (result.ok, result.status) for url, result in run.results.items()} == {
        url: (True, 200) for url in urls
    }


def test_each_address_is_checked_once(server: LocalServer) -> None:
    run = check_urls([server.url("/good")] * 3, TIMEOUT)
    assert len(run.results) == 1
    assert server.log == [("HEAD", "/good")]


def test_a_second_run_within_the_cache_time_asks_nobody(server: LocalServer, tmp_path: Path) -> None:
    urls = [server.url("/good"), server.url("/missing"), server.url("/slow")]
    cache_file = tmp_path / "cache" / "links.json"
    first = check_urls(urls, TIMEOUT, LinkCache(cache_file, 3600))
    requests = len(server.log)
    second = check_urls(urls, TIMEOUT, LinkCache(cache_file, 3600))
    assert len(server.log) == requests
    assert second.cached == 3
    assert second.results == first.results


def test_an_expired_cache_entry_is_checked_again(server: LocalServer, tmp_path: Path) -> None:
    cache_file = tmp_path / "links.json"
    check_urls([server.url("/good")], TIMEOUT, LinkCache(cache_file, 3600))
    run = check_urls([server.url("/good")], TIMEOUT, LinkCache(cache_file, 0))
    assert run.cached == 0
    assert server.log == [("HEAD", "/good"), ("HEAD", "/good")]


def test_an_unreadable_cache_is_ignored(server: LocalServer, tmp_path: Path) -> None:
    cache_file = tmp_path / "links.json"
    cache_file.write_text("{inte json", encoding="utf-8")
    run = check_urls([server.url("/good")], TIMEOUT, LinkCache(cache_file, 3600))
    assert run.results[server.url("/good")].ok
    assert json.loads(cache_file.read_text(encoding="utf-8"))["results"][server.url("/good")]["ok"] is True


# The command --------------------------------------------------------------------------------------


def _clinic_with_links(server: LocalServer) -> str:
    entries = "".join(
        f"  - name: Tjänst {n}\n    url: {server.url(path)}\n    category: kontakt\n"
        f"    info: Här kan du använda en tjänst utanför 1177.\n"
        for n, path in enumerate(["/good", "/missing", "/loop-a", "/moved", "/slow"])
    )
    return CLINIC.replace("    url: https://video.test.se/\n", f"    url: {server.url('/redirect')}\n") + entries


def test_check_links_reports_each_broken_link_at_its_line(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clinic = _clinic_with_links(server)
    root = guided_content(tmp_path / "content", **{"clinics__vardcentralen-test": clinic})
    cache = tmp_path / "links.json"
    argv = ["check", "--content", str(root), "--links", "--timeout", str(TIMEOUT), "--cache", str(cache)]
    argv += ["--format", "json", "--today", TODAY]
    assert main(argv) == 1
    report = json.loads(capsys.readouterr().out)
    found = {(f["line"], f["key"], f["level"], f["rule"]): f["message"] for f in report["findings"]}
    missing, loop, moved, slow = (server.url(p) for p in ["/missing", "/loop-a", "/moved", "/slow"])
    assert found == {
        (line_of(clinic, missing), "eservices[8].url", "error", "links.broken"): (
            f"länken {missing} fungerar inte: HTTP 404 (sidan finns inte)"
        ),
        (line_of(clinic, loop), "eservices[9].url", "error", "links.broken"): (
            f"länken {loop} fungerar inte: omdirigeringarna går runt i en slinga: "
            f"{loop} → {server.url('/loop-b')} → {loop}"
        ),
        (line_of(clinic, moved), "eservices[10].url", "warning", "links.moved"): (
            f"länken {moved} har flyttats permanent till {server.url('/good')}: byt till den nya adressen"
        ),
        (line_of(clinic, slow), "eservices[11].url", "error", "links.broken"): (
            f"länken {slow} fungerar inte: svarade inte inom 0.5 s"
        ),
    }
    assert all(f["file"].endswith("clinics/vardcentralen-test.yaml") for f in report["findings"])

    # The second run is answered from the cache: the server hears nothing.
    requests = len(server.log)
    assert main(argv) == 1
    assert len(server.log) == requests
    assert json.loads(capsys.readouterr().out)["findings"] == report["findings"]


def test_check_without_links_asks_nobody(server: LocalServer, tmp_path: Path) -> None:
    root = guided_content(tmp_path / "content", **{"clinics__vardcentralen-test": _clinic_with_links(server)})
    assert main(["check", "--content", str(root), "--today", TODAY]) == 0
    assert server.log == []


def test_text_report_names_file_line_and_status(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic = CLINIC.replace("https://video.test.se/", server.url("/missing"))
    guided_content(tmp_path / "content", **{"clinics__vardcentralen-test": clinic})
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--content", "content", "--links", "--cache", "c.json", "--today", TODAY]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"content/clinics/vardcentralen-test.yaml:{line_of(clinic, '/missing')}: eservices[6].url: "
        f"länken {server.url('/missing')} fungerar inte: HTTP 404 (sidan finns inte)"
    ]
    assert "Länkar: 1 adresser kontrollerade, 0 av dem från cachen." in captured.out
