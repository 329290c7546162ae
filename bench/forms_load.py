"""`python -m bench.forms_load`: the forms app's throughput under gunicorn, beside bare Flask.

    .venv/bin/python -m bench.forms_load [--duration 8] [--rounds 5] [--send-rounds 3] [--connections 50]

Starts gunicorn on 127.0.0.1 (a free port; never any other address) twice: the forms app
(`forms:create_app()`, test login on, a fresh SQLite database, 50 made-up test people, rate limits
raised above what one address sends here) and a bare
Flask "hello" app (bench/hello_app.py), both with the same worker settings. Then, each for a
bounded time at 50 connections:

- GET of a form page (page 1 of "Skicka meddelande", logged in, villkor approved), GET of the
  citizen's empty inbox (a light page: the app's hooks, the session, one read and the layout, near
  the floor under every logged-in page of the app) and GET of the bare route, with wrk
  from Debian (installed with apt-get when missing, as root), or with the
  Python client below when wrk cannot be had;
- full sends: 50 citizens, each in its own session, run the whole course again and again (villkor,
  approve, answer, check, POST "Skicka" with its CSRF token), with a Python client of 50 threads.
  Every send must be stored exactly once: the number of receipts must equal the number of rows in
  the case table, with unique references.

The machine may be shared, and its load can swing the bare route by a factor of three within
minutes, so both servers run side by side and the bare route and the form page are measured
ALTERNATELY, `--rounds` times; the table shows medians over the rounds, and the line
`form page GET: NN% of the bare Flask route's requests/s` is the median of the rounds' ratios.
The full sends run `--send-rounds` times (median rate). About 3 minutes with the defaults.

Every loop is bounded in count and in time, and the servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only address this script ever sends to
ESERVICE = "/e-tjanster/storgardens-vardcentral/skicka-meddelande/"
INBOX = "/e-tjanster/inkorg/"
MAX_REQUESTS_PER_CLIENT = 100_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def luhn_personnummer(number: int) -> str:
    """A made-up, Luhn-valid personnummer for test person `number` (born 1950–1999)."""
    date = f"19{50 + number % 50:02d}{1 + number % 12:02d}{1 + number % 28:02d}"
    serial = f"{(number * 7) % 1000:03d}"
    digits = date[2:] + serial
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return f"{date}-{serial}{(10 - total % 10) % 10}"


def demo_people(path: Path, count: int) -> list[str]:
    numbers = sorted({luhn_personnummer(index) for index in range(count * 2)})[:count]
    lines = ["people:"] + [f'  - {{personnummer: "{n}", name: Testperson {i}}}' for i, n in enumerate(numbers)]
    path.write_text("\n".join([*lines, "prescriptions: []", ""]), encoding="utf-8")
    return numbers


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_gunicorn(app: str, env: dict[str, str], workers: int, threads: int, log: Path, probe: str) -> Server:
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--backlog", "2048",
        "--log-level", "warning",
        app,
    ]  # fmt: skip
    with log.open("ab") as stream:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=stream, stderr=stream)
    server = Server(process, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {app} stopped; see {log}:\n{log.read_text()[-2000:]}")
        try:  # ready when a worker answers `probe`, not merely when the port is open
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", probe)
            if connection.getresponse().status < 500:
                connection.close()
                return server
            connection.close()
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn {app} did not start within 60 s")


class Client:
    """One citizen's browser: a keep-alive connection, its cookies, and the CSRF token on each page."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), text

    def token(self, path: str) -> tuple[str, str]:
        status, location, html = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {location}")
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1), html

    def log_in(self, personnummer: str) -> None:
        token, _ = self.token("/e-tjanster/logga-in/")
        status, _, _ = self.request(
            "POST", "/e-tjanster/logga-in/", {"csrf_token": token, "personnummer": personnummer}
        )
        if status != 303:
            raise RuntimeError(f"login of {personnummer}: {status}")

    def to_check_page(self) -> str:
        """Villkor, approve, answer page 1: the check page's HTML."""
        token, _ = self.token(ESERVICE)
        status, location, _ = self.request("POST", ESERVICE, {"csrf_token": token, "approve": "yes"})
        if status != 303:
            raise RuntimeError(f"approve: {status}")
        page = urllib.parse.urlsplit(location).path or f"{ESERVICE}sida/1/"
        token, _ = self.token(page)
        answers = {"csrf_token": token, "subject": "En fråga om min vård", "message": "Hej! En fråga om mitt recept."}
        status, location, _ = self.request("POST", page, answers)
        if status != 303:
            raise RuntimeError(f"answer: {status}")
        _, html = self.token(urllib.parse.urlsplit(location).path)
        return html


@dataclass
class Sends:
    receipts: list[str] = field(default_factory=list)
    send_latencies: list[float] = field(default_factory=list)
    course_latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def full_sends(port: int, people: list[str], duration: float) -> tuple[Sends, float]:
    """Each person in its own thread and session, sending cases until the time is up."""
    sends = Sends()
    ready = threading.Barrier(len(people) + 1)
    deadline = [0.0]

    def citizen(personnummer: str) -> None:
        client = Client(port)
        logged_in = False
        for attempt in range(5):  # a login that fails under load is retried, a few times
            try:
                client.log_in(personnummer)
                logged_in = True
                break
            except Exception as err:  # reported, and the run goes on with the others
                with sends.lock:
                    sends.errors.append(f"login {personnummer} (try {attempt + 1}): {err}")
                time.sleep(0.2)
        ready.wait()
        if not logged_in:
            return
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline[0]:
                return
            try:
                started = time.perf_counter()
                html = client.to_check_page()
                token = re.search(r'name="csrf_token" value="([^"]+)"', html)
                draft = re.search(r'name="draft" value="([^"]+)"', html)
                if not token or not draft:
                    raise RuntimeError("no send form on the check page")
                posted = time.perf_counter()
                status, location, _ = client.request(
                    "POST", f"{ESERVICE}skicka/", {"csrf_token": token.group(1), "draft": draft.group(1)}
                )
                done = time.perf_counter()
                reference = re.search(r"/inkorg/(HV-[0-9]{4}-[A-Z0-9]+)/kvitto/", location)
                if status != 303 or not reference:
                    raise RuntimeError(f"send: {status} {location}")
                with sends.lock:
                    sends.receipts.append(reference.group(1))
                    sends.send_latencies.append(done - posted)
                    sends.course_latencies.append(done - started)
            except Exception as err:
                with sends.lock:
                    sends.errors.append(str(err)[:200])

    threads = [threading.Thread(target=citizen, args=(number,), daemon=True) for number in people]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + duration + 3600  # set properly once everyone has logged in
    ready.wait(timeout=120)
    started = time.monotonic()
    deadline[0] = started + duration
    for thread in threads:
        thread.join(timeout=duration + 60)
    return sends, time.monotonic() - started


@dataclass
class Throughput:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str


def _ms(text: str) -> float:
    """wrk's latency ("812.00us", "12.3ms", "1.20s", "1.02m") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"wrk latency not understood: {text!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}[unit]


def wrk_get(port: int, path: str, connections: int, duration: int, cookie: str | None) -> Throughput:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(
        [*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, timeout=duration + 60
    )
    if done.returncode != 0:  # say why (a server that stopped, a refused connection), not only the exit code
        raise RuntimeError(f"wrk failed ({done.returncode}) on {path}: {(done.stderr or done.stdout).strip()[-500:]}")
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> Throughput:
    """Requests/s, p50, p99 and errors from `wrk --latency` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    # Anchored to wrk's "Latency Distribution" lines: a standard deviation such as "89.50%" at the
    # end of the Req/Sec line must not be read as the 50th percentile (it once gave 'Latency').
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)\s*$", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)\s*$", output, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(value) for value in socket_errors.groups())
    return Throughput(rps, p50, p99, errors, "wrk")


def python_get(port: int, path: str, connections: int, duration: int, cookie: str | None) -> Throughput:
    """The fallback without wrk: threads with keep-alive connections (the client is then the limit)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker() -> None:
        client = Client(port)
        if cookie:
            name, _, value = cookie.partition("=")
            client.cookies[name] = value
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            status, _, _ = client.request("GET", path)
            with lock:
                latencies.append(time.perf_counter() - started)
                errors[0] += status != 200

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 60)
    latencies.sort()
    return Throughput(
        len(latencies) / duration,
        latencies[len(latencies) // 2] * 1000,
        latencies[int(len(latencies) * 0.99)] * 1000,
        errors[0],
        "python",
    )


def ensure_wrk() -> bool:
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)  # type: ignore[call-overload]
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            **quiet,
        )  # type: ignore[call-overload]
    return shutil.which("wrk") is not None


def _p99(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.99))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.forms_load", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per measurement (8)")
    parser.add_argument("--rounds", type=int, default=5, help="alternated rounds of bare route and form page (5)")
    parser.add_argument("--send-rounds", type=int, default=3, help="rounds of full sends (3)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (50)")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn workers (2 per core)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (4)")
    args = parser.parse_args(argv)
    duration = max(1, min(args.duration, 60))
    rounds = max(1, min(args.rounds, 15))
    connections = max(1, min(args.connections, 1000))
    get = wrk_get if ensure_wrk() else python_get

    with tempfile.TemporaryDirectory(prefix="forms-load-") as scratch:
        folder = Path(scratch)
        people = demo_people(folder / "people.yaml", connections)
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "FORMS_CONTENT_DIR": str(REPO / "content"),
            "FORMS_DATABASE_URL": f"sqlite:///{folder / 'forms.sqlite3'}",
            "FORMS_DEMO_DATA": str(folder / "people.yaml"),
            "FORMS_TEST_LOGIN": "1",
            "FORMS_SECRET_KEY": os.urandom(32).hex(),
            # Every simulated citizen comes from 127.0.0.1; the limits per address and person stay
            # on (their counting is part of the work measured) but high enough not to refuse.
            "FORMS_RATELIMIT_LOGIN": "100000 per minute",
            "FORMS_RATELIMIT_SEND": "100000 per minute",
        }
        log = folder / "gunicorn.log"
        hello = start_gunicorn("bench.hello_app:app", env, args.workers, args.threads, log, "/")
        forms = None
        bare: list[Throughput] = []
        pages: list[Throughput] = []
        lightest: list[Throughput] = []
        send_runs: list[tuple[Sends, float]] = []
        try:
            forms = start_gunicorn("forms:create_app()", env, args.workers, args.threads, log, "/e-tjanster/logga-in/")
            browser = Client(forms.port)
            browser.log_in(people[0])
            browser.to_check_page()  # approved villkor and a draft: page 1 is the form page now
            page = f"{ESERVICE}sida/1/"
            status, _, html = browser.request("GET", page)
            if status != 200 or "csrf_token" not in html:
                raise RuntimeError(f"the form page answered {status}")
            cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
            # The machine is shared, and its load swings by a factor of three within minutes: the
            # bare route and the form page take turns, so a busy minute hits both, and the ratio
            # reported is the median of the rounds' ratios.
            for index in range(rounds):
                bare.append(get(hello.port, "/", connections, duration, None))
                pages.append(get(forms.port, page, connections, duration, cookie))
                lightest.append(get(forms.port, INBOX, connections, duration, cookie))
                print(
                    f"  round {index + 1}/{rounds}: bare {bare[-1].rps:.0f}/s, form page {pages[-1].rps:.0f}/s "
                    f"({pages[-1].rps / bare[-1].rps:.0%}), inbox {lightest[-1].rps:.0f}/s",
                    flush=True,
                )
            for index in range(max(1, args.send_rounds)):
                send_runs.append(full_sends(forms.port, people, duration))
                done, took = send_runs[-1]
                print(f"  sends {index + 1}/{args.send_rounds}: {len(done.receipts) / took:.1f}/s", flush=True)
        finally:
            hello.stop()
            if forms is not None:
                forms.stop()
        with sqlite3.connect(folder / "forms.sqlite3") as database:
            stored, unique = database.execute("SELECT COUNT(*), COUNT(DISTINCT reference) FROM cases").fetchone()
        problems = [line for line in log.read_text(errors="replace").splitlines() if "Error" in line][-5:]

    def median_of(results: list[Throughput]) -> Throughput:
        return Throughput(
            statistics.median(r.rps for r in results),
            statistics.median(r.p50_ms for r in results),
            statistics.median(r.p99_ms for r in results),
            sum(r.errors for r in results),
            results[0].tool,
        )

    ceiling, form_page, inbox = median_of(bare), median_of(pages), median_of(lightest)
    ratio = statistics.median(p.rps / b.rps for b, p in zip(bare, pages, strict=True))
    floor = statistics.median(p.rps / b.rps for b, p in zip(bare, lightest, strict=True))
    print(
        f"\nforms app under gunicorn ({args.workers} workers × {args.threads} threads, gthread), {cores} cores, "
        f"{connections} connections, {rounds} alternated rounds of {duration} s, "
        f"load average {os.getloadavg()[0]:.1f}; medians over the rounds"
    )
    print(f"| {'measurement':36} | {'requests/s':>10} | {'p50':>9} | {'p99':>9} | {'errors':>6} | tool   |")
    print("|" + "-" * 38 + "|" + "-" * 12 + "|" + "-" * 11 + "|" + "-" * 11 + "|" + "-" * 8 + "|--------|")
    rows = (("bare Flask 'hello' (ceiling)", ceiling), ("form page GET", form_page), ("empty inbox GET", inbox))
    for label, result in rows:
        print(
            f"| {label:36} | {result.rps:>10.0f} | {result.p50_ms:>6.1f} ms | {result.p99_ms:>6.1f} ms "
            f"| {result.errors:>6} | {result.tool:6} |"
        )
    receipts = [receipt for sends, _ in send_runs for receipt in sends.receipts]
    errors = [error for sends, _ in send_runs for error in sends.errors]
    send_rate = statistics.median(len(sends.receipts) / took if took else 0.0 for sends, took in send_runs)
    for label, values in (
        ("full send: the POST 'Skicka'", [v for sends, _ in send_runs for v in sends.send_latencies]),
        ("full send: whole course (6 requests)", [v for sends, _ in send_runs for v in sends.course_latencies]),
    ):
        if values:
            print(
                f"| {label:36} | {send_rate:>8.1f}/s | {statistics.median(values) * 1000:>6.1f} ms "
                f"| {_p99(values) * 1000:>6.1f} ms | {len(errors):>6} | python |"
            )
    print(f"form page GET: {ratio:.0%} of the bare Flask route's requests/s")
    print(f"  form page p99 / bare p99: {form_page.p99_ms / ceiling.p99_ms:.1f}× (medians)")
    print(
        f"a light logged-in page (the empty inbox: hooks, session, one read, layout): {floor:.0%} "
        "of the bare route's requests/s"
    )
    exactly_once = stored == unique == len(receipts)
    print(
        f"  sends: {len(receipts)} receipts, {stored} cases stored, {unique} unique references: "
        + ("every send stored exactly once" if exactly_once else "MISMATCH")
    )
    if errors:
        print(f"  {len(errors)} failed requests in the send loop; first: {errors[:3]}")
    if problems:
        print("  gunicorn log, last errors:\n    " + "\n    ".join(problems))
    return 0 if exactly_once else 1


if __name__ == "__main__":
    sys.exit(main())
