"""A real local SMTP server (aiosmtpd) and a fake SMS gateway (http.server) for the notice tests."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


@dataclass
class Gateway:
    """Records every POST; `delivered` keeps one message per idempotency key, as a real gateway must."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    delivered: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_next: int = 0  # answer this many requests with 503
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""


@contextmanager
def sms_gateway() -> Iterator[Gateway]:
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with gateway.lock:
                if gateway.fail_next > 0:
                    gateway.fail_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                body["header_key"] = self.headers.get("Idempotency-Key")
                gateway.posts.append(body)
                gateway.delivered.setdefault(body["idempotency_key"], body)
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
