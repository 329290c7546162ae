"""The servers of a multi-node deployment on 127.0.0.1: nginx from deploy/nginx.conf, and Redis.

For tests/deploy/test_multinode.py. Each runs in the foreground of its own process group, on a
free port of 127.0.0.1 only, and is stopped when its block ends. PostgreSQL comes from
tests.support.postgres (as its own user), the app nodes from tests.forms.gunicorn_run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], name: str, log: Path) -> None:
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped at start:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start within 20 s") from None
            time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def binary(name: str, debian_path: str) -> str | None:
    return shutil.which(name) or (debian_path if Path(debian_path).exists() else None)


@contextlib.contextmanager
def redis(folder: Path) -> Iterator[str]:
    """redis-server without persistence on a free port; yields its URL for FORMS_RATELIMIT_STORAGE_URL."""
    server = binary("redis-server", "/usr/bin/redis-server")
    assert server, "redis-server is not installed; scripts/test.sh installs Debian's redis-server"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "redis.log"
    command = [server, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(folder)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_port(port, process, "redis-server", log)
        yield f"redis://{HOST}:{port}/0"
    finally:
        _stop(process)


@contextlib.contextmanager
def nginx(folder: Path, values: Mapping[str, str]) -> Iterator[str]:
    """deploy/nginx.conf as shipped, its placeholders filled with `values` (LISTEN and PID_FILE set here)."""
    server = binary("nginx", "/usr/sbin/nginx")
    assert server, "nginx is not installed; scripts/test.sh installs Debian's nginx-light"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = (ROOT / "deploy/nginx.conf").read_text(encoding="utf-8")
    filled = {"LISTEN": f"{HOST}:{port}", "PID_FILE": str(folder / "nginx.pid"), "MIME_TYPES": "/etc/nginx/mime.types"}
    for name, value in {**filled, **values}.items():
        config = config.replace("${" + name + "}", value)
    assert "${" not in "\n".join(line for line in config.splitlines() if not line.lstrip().startswith("#"))
    if os.geteuid() == 0:
        config = "user root;\n" + config  # worker processes must read the pytest temp folder
    (folder / "nginx.conf").write_text(config, encoding="utf-8")
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir(exist_ok=True)
    log = folder / "nginx.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [server, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_port(port, process, "nginx", log)
        yield f"http://{HOST}:{port}"
    finally:
        _stop(process)
