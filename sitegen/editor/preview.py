"""`sitegen serve`: the site as the editor writes it, on a local address, rebuilt on every save.

Editors write YAML and think in pages. The preview builds with the one build entry point
(`sitegen.build.run.build_site`, so the preview is byte for byte what `sitegen build` publishes), serves
the result on 127.0.0.1, and watches the content and theme folders by polling their files' times
and sizes: no dependency and it works the same on every file system, including network shares
where change notifications do not arrive. When the content is invalid the server does not stop:
every address answers with a page listing the errors, `file:line: key: message`, until they are
fixed. The built site stays free of JavaScript; the editor reloads the page in the browser.
"""

from __future__ import annotations

import html
import mimetypes
import posixpath
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sitegen.build.run import build_site
from sitegen.content.errors import ContentInvalid
from sitegen.site.theme import Theme

Snapshot = dict[str, tuple[int, int]]


def snapshot(folders: list[Path]) -> Snapshot:
    """Every file under the folders with its modification time and size: what a change changes.

    Hidden files and editor backups (`.x.swp`, `x~`, `#x#`) are left out: saving them is not a
    change to the content.
    """
    found: Snapshot = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            name = path.name
            if name.startswith((".", "#")) or name.endswith("~"):
                continue
            try:
                stat = path.stat()
            except OSError:  # removed between listing and stat
                continue
            if path.is_file():
                found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def error_page(problems: list[str], title: str = "Innehållet har fel") -> bytes:
    """The page every address shows while the content cannot be built."""
    items = "\n".join(f"<li><code>{html.escape(problem)}</code></li>" for problem in problems)
    count = len(problems)
    lead = f"{count} fel hindrar bygget." if count != 1 else "1 fel hindrar bygget."
    page = f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fel: {html.escape(title)} – förhandsvisning</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem;
  line-height: 1.5; color: #1a1a1a; }}
h1 {{ color: #a00; }}
li {{ margin-bottom: .75rem; }}
code {{ white-space: pre-wrap; word-break: break-word; font-size: 1rem; }}
</style>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
<p>{lead} Förhandsvisningen visar den här sidan på alla adresser tills felen är rättade.
Rätta filen och spara, vänta en sekund och ladda sedan om sidan.</p>
<ul>
{items}
</ul>
</main>
</body>
</html>
"""
    return page.encode("utf-8")


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    location: str | None = None


class Preview:
    """A preview of one content folder: the build, its state, the server and the watcher.

    A lock makes a request wait for a build in progress, so a reload after a save shows the new
    page, never a half-swapped folder.
    """

    def __init__(
        self,
        content_dir: Path,
        out: Path,
        theme_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        interval: float = 0.5,
        log: Callable[[str], None] = print,
    ) -> None:
        self.content_dir = Path(content_dir)
        self.theme_dir = Path(theme_dir) if theme_dir is not None else Theme().folder
        self.out = Path(out)
        self.host = host
        self.port = port
        self.interval = interval
        self.log = log
        self.lock = threading.Lock()
        self.problems: list[str] | None = None  # None: the last build succeeded
        self.builds = 0  # how many builds have finished, for tests and messages
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # The build ------------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Build once; on failure keep the errors to show instead of the site."""
        with self.lock:
            try:
                # A new Theme each time: Theme caches its stylesheet, and the theme may have changed.
                result = build_site(self.content_dir, self.out, Theme(self.theme_dir))
            except ContentInvalid as invalid:
                self.problems = [str(error) for error in invalid.errors]
                self.log(f"{len(invalid.errors)} fel i innehållet; förhandsvisningen visar felen:")
                for problem in self.problems:
                    self.log(f"  {problem}")
            except Exception as err:  # a broken template must not stop the preview either
                detail = "".join(traceback.format_exception_only(err)).strip()
                self.problems = [f"Bygget misslyckades (mallen eller temat?): {detail}"]
                self.log(f"Bygget misslyckades: {err}")
            else:
                recovered = self.problems is not None and self.builds > 0
                self.problems = None
                note = " Felen är rättade." if recovered else ""
                self.log(f"Byggde {result.pages} sidor på {result.seconds:.2f} s.{note}")
            self.builds += 1

    def watch(self, last: Snapshot) -> None:
        """Poll the content and theme folders; rebuild when a file differs from `last`.

        `last` is taken before the build it describes, so a file saved during that build (or
        before this thread got going) is still a change.
        """
        while not self._stop.wait(self.interval):
            current = snapshot([self.content_dir, self.theme_dir])
            if current != last:
                last = current
                self.log("Ändring upptäckt; bygger om …")
                self.rebuild()

    # Serving ---------------------------------------------------------------------------------

    def response_for(self, raw_path: str) -> Response:
        """What the preview answers for a request path: the error page, a file, or 404.html."""
        with self.lock:
            if self.problems is not None:
                return Response(500, "text/html; charset=utf-8", error_page(self.problems))
            path = urllib.parse.unquote(urllib.parse.urlsplit(raw_path).path)
            normal = posixpath.normpath(path)
            root = self.out.resolve()
            target = (root / normal.lstrip("/")).resolve()
            if target != root and root not in target.parents:
                return self._not_found(root)
            if target.is_dir():
                if not path.endswith("/"):
                    return Response(301, "text/plain; charset=utf-8", b"", location=path + "/")
                target = target / "index.html"
            if not target.is_file():
                return self._not_found(root)
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type in {"application/xml", "image/svg+xml"}:
                content_type += "; charset=utf-8"
            return Response(200, content_type, target.read_bytes())

    @staticmethod
    def _not_found(root: Path) -> Response:
        page = root / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!DOCTYPE html><title>Sidan finns inte</title>"
        return Response(404, "text/html; charset=utf-8", body)

    def start(self) -> str:
        """Build, then serve and watch in background threads; return the preview's address."""
        before_build = snapshot([self.content_dir, self.theme_dir])
        self.rebuild()
        preview = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(send_body=True)

            def do_HEAD(self) -> None:
                self._answer(send_body=False)

            def _answer(self, send_body: bool) -> None:
                response = preview.response_for(self.path)
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                # The preview changes on every save; a cached page would show the old text.
                self.send_header("Cache-Control", "no-store")
                if response.location is not None:
                    self.send_header("Location", response.location)
                self.end_headers()
                if send_body:
                    self.wfile.write(response.body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the console is for build messages, not one line per request."""

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._threads = [
            threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="preview-server", daemon=True
            ),
            threading.Thread(target=self.watch, args=(before_build,), name="preview-watcher", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def stop(self) -> None:
        """Stop watching and serving; waits for both threads."""
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def serve_until_interrupted(self) -> None:
        """For the command line: run until Ctrl+C."""
        self.start()
        self.log(f"Förhandsvisningen finns på {self.url}  (avsluta med Ctrl+C)")
        try:
            while not self._stop.wait(3600):
                pass
        except KeyboardInterrupt:
            self.log("Förhandsvisningen avslutas.")
        finally:
            self.stop()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0, step: float = 0.05) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; for tests and scripts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
