"""A metadata URL that goes down does not take the logins with it (forms.identity.saml.sp).

The federation's signed metadata is served over https by a local server that the test stops: the
logins go on with the last good metadata, the URL is tried again at most once per
FORMS_SAML_METADATA_RETRY_SECONDS (one log line per try), and while one request waits for a slow
URL the others go on without waiting. The SP's clock is moved instead of waiting an hour.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from forms.identity.saml import metadata as saml_metadata
from forms.identity.saml.settings import SamlSettingsError, read_sp_settings
from forms.identity.saml.sp import REFRESH_SECONDS, ServiceProvider
from tests.forms.conftest import ADULT
from tests.forms.saml_support import SamlWorld, idp_answer, post_acs, start
from tests.forms.test_saml_metadata_signature import federation, signed  # noqa: F401 - a fixture

RETRY = 60


def tls_pair(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it through REQUESTS_CA_BUNDLE)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    (folder / "tls.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (folder / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return folder / "tls.key", folder / "tls.crt"


@dataclass
class MetadataServer:
    url: str
    server: http.server.ThreadingHTTPServer
    hold: threading.Event = field(default_factory=threading.Event)  # set: answers wait until released
    down: threading.Event = field(default_factory=threading.Event)  # set: answers 503

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def metadata_server(tmp_path: Path, saml_world: SamlWorld, federation, monkeypatch) -> Iterator[MetadataServer]:  # noqa: F811
    body = signed(saml_world, *federation).encode("utf-8")
    released = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if holder.hold.is_set():
                released.wait(10)
            if holder.down.is_set():
                self.send_error(503)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    key, cert = tls_pair(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    holder = MetadataServer(f"https://127.0.0.1:{server.server_address[1]}/metadata.xml", server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder
    released.set()
    holder.stop()


@pytest.fixture
def fetches(monkeypatch) -> list[str]:
    """Every fetch of a metadata URL, counted, then done for real."""
    calls: list[str] = []
    real = saml_metadata.fetch

    def counted(url: str) -> bytes:
        calls.append(url)
        return real(url)

    monkeypatch.setattr(saml_metadata, "fetch", counted)
    return calls


def app_on(make_app: Any, world: SamlWorld, url: str, cert: Path) -> Any:
    return make_app(FORMS_TEST_LOGIN="", FORMS_DEMO_DATA=str(world.demo), **{
        **world.config, "FORMS_SAML_IDP_METADATA": url, "FORMS_STAFF_SAML_IDP_METADATA": url,
        "FORMS_SAML_METADATA_CERT": str(cert), "FORMS_SAML_METADATA_RETRY_SECONDS": str(RETRY),
    })


def moved_clock(sp: ServiceProvider, base: float | None = None) -> list[float]:
    """The SP's clock from now on: `base` (the real clock's now) plus offset[0] seconds."""
    offset = [0.0]
    base = time.monotonic() if base is None else base
    sp.clock = lambda: base + offset[0]
    return offset


def logs_in(app: Any, world: SamlWorld) -> bool:
    client = app.test_client()
    return post_acs(client, idp_answer(world, start(client), ADULT)).status_code == 303


def test_logins_go_on_with_the_kept_metadata_and_the_dead_url_is_tried_once_a_minute(
        make_app, saml_world, federation, metadata_server, fetches, caplog):  # noqa: F811
    app = app_on(make_app, saml_world, metadata_server.url, federation[1])
    sp = app.extensions["hittavard_saml"]["citizen"]
    offset = moved_clock(sp)
    assert logs_in(app, saml_world)
    metadata_server.stop()
    fetches.clear()
    offset[0] = REFRESH_SECONDS + 1  # the hourly refresh is due, and the URL is down
    assert logs_in(app, saml_world)
    assert len(fetches) == 1
    for moment in (5, 30, RETRY - 1):  # within the retry interval: no fetch at all
        offset[0] = REFRESH_SECONDS + 1 + moment
        assert logs_in(app, saml_world)
    assert len(fetches) == 1
    assert caplog.text.count("saml_metadata_fetch_failed") == 1
    offset[0] = REFRESH_SECONDS + 1 + RETRY  # the interval has passed: one more try
    assert logs_in(app, saml_world)
    assert len(fetches) == 2 and caplog.text.count("saml_metadata_fetch_failed") == 2


def test_a_url_down_from_the_start_refuses_the_login_without_fetching_again_within_the_interval(
        make_app, saml_world, federation, metadata_server, fetches):  # noqa: F811
    metadata_server.stop()
    app = app_on(make_app, saml_world, metadata_server.url, federation[1])
    assert len(fetches) == 2  # each side tried once at start (for the CSP's form-action), and failed
    sp = app.extensions["hittavard_saml"]["citizen"]
    offset = moved_clock(sp, base=sp._next_fetch - RETRY)  # the clock of the failed try at start

    def refused() -> bool:
        answer = app.test_client().get("/e-tjanster/saml/logga-in/")
        return answer.status_code == 403 and "Inloggningen misslyckades" in answer.text

    for moment in (0, 30, RETRY - 1):
        offset[0] = moment
        assert refused()
    assert len(fetches) == 2
    offset[0] = RETRY
    assert refused()
    assert len(fetches) == 3


def test_while_one_request_waits_for_a_slow_url_the_others_log_in_at_once(
        make_app, saml_world, federation, metadata_server, fetches):  # noqa: F811
    app = app_on(make_app, saml_world, metadata_server.url, federation[1])
    sp = app.extensions["hittavard_saml"]["citizen"]
    offset = moved_clock(sp)
    sp.client  # noqa: B018 - fetched once, kept
    metadata_server.hold.set()
    offset[0] = REFRESH_SECONDS + 1
    waiting = threading.Thread(target=lambda: sp.client, daemon=True)
    waiting.start()  # fetches, and waits for the held server
    deadline = time.monotonic() + 10
    while len(fetches) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert waiting.is_alive()
    began = time.monotonic()
    assert logs_in(app, saml_world)
    assert time.monotonic() - began < 5  # not the held fetch's 10 s


def test_a_url_down_at_start_and_back_later_lets_forms_reach_the_idp_from_the_first_login(
        make_app, saml_world, federation, metadata_server, fetches):  # noqa: F811
    """The CSP's form-action is made at start from the metadata; with the URL down then, it names no
    IdP, and Logga ut's redirect to the IdP after its form POST would be blocked until a restart."""
    metadata_server.down.set()
    app = app_on(make_app, saml_world, metadata_server.url, federation[1])
    client = app.test_client()
    assert "127.0.0.1:8900" not in client.get("/e-tjanster/saml/metadata/").headers["Content-Security-Policy"]
    metadata_server.down.clear()
    sp = app.extensions["hittavard_saml"]["citizen"]
    offset = moved_clock(sp, base=sp._next_fetch - RETRY)
    offset[0] = RETRY
    answer = post_acs(client, idp_answer(saml_world, start(client), ADULT))
    assert answer.status_code == 303
    policy = client.get("/e-tjanster/inkorg/").headers["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:8900;" in policy


@pytest.mark.parametrize("raw", ["abc", "0", "100000"])
def test_a_retry_interval_that_cannot_work_stops_the_start_naming_the_setting(saml_world, raw):
    with pytest.raises(SamlSettingsError, match="FORMS_SAML_METADATA_RETRY_SECONDS"):
        read_sp_settings("/e-tjanster/", {**saml_world.config, "FORMS_SAML_METADATA_RETRY_SECONDS": raw})


def test_the_retry_interval_is_read_from_its_setting(saml_world):
    found = read_sp_settings("/e-tjanster/", {**saml_world.config, "FORMS_SAML_METADATA_RETRY_SECONDS": "15"})
    assert found["citizen"].metadata_retry_seconds == 15 and found["staff"].metadata_retry_seconds == 15
