"""The documented nginx configuration (deploy/nginx.conf) serves the built site with the security
headers of docs/security.md, caches only fingerprinted files for long, and answers 404s with the
site's own page. A real nginx is started on 127.0.0.1 with the file as shipped."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.build.run import build_site

ROOT = Path(__file__).resolve().parents[2]
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deploy") / "build"
    build_site(ROOT / "content", out)
    return out


@pytest.fixture(scope="module")
def nginx(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert binary, "nginx is not installed; scripts/test.sh installs Debian's nginx-light"
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    config = (ROOT / "deploy/nginx.conf").read_text(encoding="utf-8")
    for name, value in {
        "SITE_ROOT": str(built),
        "FORMS_UPSTREAM": "server 127.0.0.1:9;",
        "LISTEN": f"127.0.0.1:{port}",
        "PID_FILE": str(folder / "nginx.pid"),
        "MIME_TYPES": "/etc/nginx/mime.types",
    }.items():
        config = config.replace("${" + name + "}", value)
    assert "${" not in "\n".join(line for line in config.splitlines() if not line.startswith("#"))
    if os.geteuid() == 0:
        config = "user root;\n" + config  # worker processes must read the pytest temp folder
    (folder / "nginx.conf").write_text(config, encoding="utf-8")
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir()
    process = subprocess.Popen(
        [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).close()
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None:
                pytest.fail(f"nginx did not start: {process.stdout.read().decode() if process.stdout else ''}")
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def site_paths(built: Path) -> list[str]:
    pages = [
        str(path.relative_to(built))
        for path in built.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(built).parts)
    ]
    return [re.sub(r"(^|/)index\.html$", r"\1", page) for page in pages]


def test_every_file_has_the_security_headers(nginx: str, built: Path) -> None:
    paths = site_paths(built)
    assert len(paths) > 15
    for path in paths:
        status, headers, _ = fetch(nginx + path)
        assert status == 200, path
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, f"{path}: {name}"
        max_age = re.search(r"max-age=(\d+)", headers.get("Strict-Transport-Security", ""))
        assert max_age and int(max_age.group(1)) >= 31536000, path


def test_only_fingerprinted_files_are_cached_for_a_year(nginx: str, built: Path) -> None:
    css = next(built.glob("static/style.*.css")).name
    assert fetch(f"{nginx}static/{css}")[1]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert fetch(nginx)[1]["Cache-Control"] == "no-cache"


def test_missing_page_gets_the_sites_404_with_headers(nginx: str) -> None:
    status, headers, body = fetch(nginx + "mottagningar/finns-inte/")
    assert status == 404
    assert "Sidan finns inte" in body.decode("utf-8")
    assert headers.get("Content-Security-Policy") == CSP


def test_no_inline_script_or_style_in_any_page(built: Path) -> None:
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8").lower()
        assert "<script" not in html, page
        assert "<style" not in html, page
        assert not re.search(r"\sstyle\s*=", html), page
        assert not re.search(r"\son[a-z]+\s*=", html), page


def test_the_builds_private_folder_is_refused(nginx: str, built: Path) -> None:
    private = [path for path in built.rglob("*") if path.is_file() and any(p.startswith(".") for p in path.relative_to(built).parts)]
    assert private, "the build writes the app's content snapshot into a dot-folder"
    for path in private:
        status, _, body = fetch(nginx + str(path.relative_to(built)))
        assert status == 404, path
        assert "Sidan finns inte" in body.decode("utf-8")
