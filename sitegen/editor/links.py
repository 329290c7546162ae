"""`sitegen check --links`: do the addresses of hand-added e-services still answer?

Seed 000 makes the mottagning responsible for the links it adds by hand in KKA ("kontrollera att
länken … inte är bruten"); nothing else checks them, since they lead outside 1177. Links are checked
concurrently (a region has hundreds, most on a handful of slow hosts), each request bounded by a
timeout, redirects followed by hand so a loop is caught, HEAD first and GET where a server refuses
HEAD (405, 501) or answers it with another error (some servers answer HEAD wrongly). Results are
cached in a file so that a second run within the cache time is instant and does not hammer the
suppliers' servers. Only the standard library is used: this is a few dozen requests,
not a crawler.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.content.models import HandAddedEntry
from sitegen.editor.findings import Finding, Level

if TYPE_CHECKING:
    from sitegen.content.loader import Content

USER_AGENT = "Hitta-vard-lankkontroll/1.0 (sitegen check --links)"
DEFAULT_CACHE = Path(".sitegen-cache") / "links.json"
DEFAULT_CACHE_HOURS = 24.0
DEFAULT_TIMEOUT = 10.0
MAX_REDIRECTS = 10
WORKERS = 16
_REDIRECTS = {301, 302, 303, 307, 308}
_PERMANENT = {301, 308}

_STATUS_TEXT = {
    400: "felaktig förfrågan",
    401: "kräver inloggning",
    403: "åtkomst nekad",
    404: "sidan finns inte",
    405: "metoden tillåts inte",
    410: "sidan är borttagen",
    429: "för många förfrågningar",
    500: "fel på servern",
    501: "stöds inte av servern",
    502: "fel i en mellanliggande server",
    503: "tjänsten är inte tillgänglig just nu",
    504: "en mellanliggande server svarade inte i tid",
}


@dataclass(frozen=True)
class LinkResult:
    """What checking one address gave.

    `ok` is the verdict; `status` the last HTTP status (None when no answer came); `error` what went
    wrong, in Swedish, when not ok; `moved_to` the new address when every redirect was permanent.
    """

    url: str
    ok: bool
    status: int | None = None
    error: str | None = None
    moved_to: str | None = None
    checked_at: float = 0.0
    level: Level = "error"


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand every redirect back as a response, so the checker sees each hop and can catch a loop."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())
# Proxies from the environment are for reaching the outside world; a local address never goes
# through one (urllib would otherwise send 127.0.0.1 to the proxy unless no_proxy says otherwise).
_LOCAL_OPENER = urllib.request.build_opener(_NoRedirect(), urllib.request.ProxyHandler({}))


def _status_text(status: int) -> str:
    text = _STATUS_TEXT.get(status)
    return f"HTTP {status} ({text})" if text else f"HTTP {status}"


def _request(url: str, method: str, timeout: float) -> tuple[int, str | None]:
    """One request without following redirects: (status, Location header)."""
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    opener = _LOCAL_OPENER if _is_loopback(url) else _OPENER
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers.get("Location")
    except urllib.error.HTTPError as err:
        location = err.headers.get("Location") if err.headers else None
        err.close()
        return err.code, location


def _describe(err: BaseException, timeout: float) -> str:
    """An exception from a request as an editor can act on it."""
    reason: Any = err.reason if isinstance(err, urllib.error.URLError) else err
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return f"svarade inte inom {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "servern vägrar ansluta"
    if isinstance(reason, socket.gaierror):
        return "adressen finns inte (servernamnet hittades inte)"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "servern har ett ogiltigt certifikat"
    if isinstance(reason, http.client.HTTPException):
        return f"servern gav ett ogiltigt svar ({type(reason).__name__})"
    return f"kunde inte nås ({reason})"


def check_url(url: str, timeout: float = DEFAULT_TIMEOUT, max_redirects: int = MAX_REDIRECTS) -> LinkResult:
    """Check one address: follow redirects (at most `max_redirects`, never in a circle) to an answer.

    Some servers refuse HEAD (405, 501) or answer it wrongly; a HEAD that fails is asked again with
    GET before the link is called broken, so a working page is never reported. 401 counts as working:
    the page is there and asks the citizen to log in, which is what many e-services do.
    """
    now = time.time()
    seen = [url]
    current = url
    permanent = True
    while True:
        try:
            status, location = _request(current, "HEAD", timeout)
            if status >= 400 and status != 401:
                status, location = _request(current, "GET", timeout)
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as err:
            return LinkResult(url, False, None, _describe(err, timeout), checked_at=now)
        if status in _REDIRECTS and location:
            permanent = permanent and status in _PERMANENT
            target = urllib.parse.urljoin(current, location)
            if urllib.parse.urlsplit(target).scheme not in {"http", "https"}:
                return LinkResult(
                    url, False, status, f"omdirigeras till en adress som inte är en webbsida ({target})", checked_at=now
                )
            if target in seen:
                chain = " → ".join([*seen[seen.index(target) :], target])
                return LinkResult(url, False, status, f"omdirigeringarna går runt i en slinga: {chain}", checked_at=now)
            if len(seen) > max_redirects:
                return LinkResult(
                    url, False, status, f"för många omdirigeringar (fler än {max_redirects})", checked_at=now
                )
            seen.append(target)
            current = target
            continue
        if status < 400 or status == 401:
            moved = current if permanent and current != url else None
            return LinkResult(url, True, status, moved_to=moved, checked_at=now)
        # 403 and 429 are often a supplier's shield against automatic checks, not a dead page.
        level: Level = "warning" if status in {403, 429} else "error"
        return LinkResult(url, False, status, _status_text(status), checked_at=now, level=level)


class LinkCache:
    """Results by address in a JSON file; an entry older than `max_age` seconds is checked again.

    A cache file that cannot be read is treated as empty: the worst case is a slower run.
    """

    def __init__(self, path: Path, max_age: float) -> None:
        self.path = path
        self.max_age = max_age
        self.entries: dict[str, LinkResult] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for url, fields in data.get("results", {}).items():
                self.entries[url] = LinkResult(**fields)
        except (OSError, ValueError, TypeError, AttributeError):
            self.entries = {}

    def fresh(self, url: str, now: float) -> LinkResult | None:
        entry = self.entries.get(url)
        if entry is None or now - entry.checked_at > self.max_age or now < entry.checked_at:
            return None
        return entry

    def save(self, results: Iterable[LinkResult], now: float) -> None:
        """Write the new results and keep the other entries still fresh; atomically, by rename."""
        for result in results:
            self.entries[result.url] = result
        keep = {url: asdict(r) for url, r in sorted(self.entries.items()) if now - r.checked_at <= self.max_age}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".links-", dir=self.path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({"version": 1, "results": keep}, file, ensure_ascii=False, indent=1)
        os.replace(temporary, self.path)


@dataclass(frozen=True)
class LinkRun:
    """The results of one run, and how many came from the cache."""

    results: dict[str, LinkResult]
    cached: int


def check_urls(
    urls: Sequence[str],
    timeout: float = DEFAULT_TIMEOUT,
    cache: LinkCache | None = None,
    checker: Callable[[str, float], LinkResult] = check_url,
    workers: int = WORKERS,
) -> LinkRun:
    """Check each distinct address once, concurrently, answering from the cache where it is fresh."""
    now = time.time()
    distinct = list(dict.fromkeys(urls))
    results: dict[str, LinkResult] = {}
    to_check: list[str] = []
    for url in distinct:
        hit = cache.fresh(url, now) if cache is not None else None
        if hit is not None:
            results[url] = hit
        else:
            to_check.append(url)
    if to_check:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(to_check)))) as pool:
            for result in pool.map(lambda u: checker(u, timeout), to_check):
                results[result.url] = result
        if cache is not None:
            cache.save((results[url] for url in to_check), time.time())
    return LinkRun(results, len(distinct) - len(to_check))


def hand_added_links(content: Content) -> list[tuple[str, Path, tuple[str | int, ...]]]:
    """Every hand-added e-service's address with where it is written: (url, file, key path)."""
    found: list[tuple[str, Path, tuple[str | int, ...]]] = []
    for slug, clinic in content.clinics.items():
        for index, entry in enumerate(clinic.eservices):
            if isinstance(entry, HandAddedEntry):
                found.append((entry.url, content.clinic_path(slug), ("eservices", index, "url")))
    return found


def link_findings(
    content: Content,
    timeout: float = DEFAULT_TIMEOUT,
    cache: LinkCache | None = None,
    checker: Callable[[str, float], LinkResult] = check_url,
) -> tuple[list[Finding], LinkRun]:
    """A finding at the `url` key of every hand-added e-service whose address does not work."""
    links = hand_added_links(content)
    run = check_urls([url for url, _, _ in links], timeout, cache, checker)
    findings: list[Finding] = []
    for url, path, loc in links:
        result = run.results[url]
        if not result.ok:
            message = f"länken {url} fungerar inte: {result.error}"
            findings.append(Finding.from_error(content.locate(path, loc, message, result.level), "links.broken"))
        elif result.moved_to is not None:
            message = f"länken {url} har flyttats permanent till {result.moved_to}: byt till den nya adressen"
            findings.append(Finding.from_error(content.locate(path, loc, message, "warning"), "links.moved"))
    return findings, run
