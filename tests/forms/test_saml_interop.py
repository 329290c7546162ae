"""Interop: a citizen's login through an IdP that does not share pysaml2's XML-signature stack,
the npm package saml-idp (node: samlp, node-saml, xml-crypto, xml-encryption), run as its own
process on 127.0.0.1 with a key pair made here and attributes as Sweden Connect names them
(personalIdentityNumber, displayName, the loa3 AuthnContextClassRef). The app's citizens' SP takes
saml-idp's own metadata; the "browser" is plain HTTP: the AuthnRequest by redirect to saml-idp,
its login form posted, its answer form posted to the ACS. No JavaScript.

scripts/test.sh installs saml-idp into .tools/saml-idp (scripts/saml-idp/package.json); without it
this test fails, it is never skipped.
"""

from __future__ import annotations

import base64
import contextlib
import html
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from forms.identity.saml.devidp.keys import make_key_pair
from tests.forms.conftest import ADULT
from tests.forms.gunicorn_run import HOST, ROOT, free_port
from tests.forms.saml_support import BASE, PUBLIC, start

SAML_IDP = ROOT / ".tools" / "saml-idp" / "node_modules" / "saml-idp" / "bin" / "run.js"
ISSUER = "urn:hittavard:test:saml-idp"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
PNR_ATTRIBUTE = "urn:oid:1.2.752.29.4.13"
DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"
INPUT = re.compile(r"<input\b[^>]*>", re.S)


@dataclass
class SamlIdp:
    url: str
    metadata: Path
    log: Path


def _attribute_config(pnr: str) -> str:
    """saml-idp's attribute file: the claims and the person its login page offers."""
    attributes = [
        {"id": PNR_ATTRIBUTE, "optional": False, "displayName": "personalIdentityNumber", "description": "",
         "multiValue": False},
        {"id": DISPLAY_NAME, "optional": False, "displayName": "displayName", "description": "", "multiValue": False},
    ]
    user = {"userName": "interop-1", "nameIdFormat": "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
            PNR_ATTRIBUTE: pnr, DISPLAY_NAME: "Interop Testsson"}
    return f"module.exports = {{ user: {json.dumps(user)}, metadata: {json.dumps(attributes)} }};\n"


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlIdp]:
    node = shutil.which("node") or shutil.which("nodejs")
    assert node and SAML_IDP.is_file(), "saml-idp is missing: scripts/test.sh installs it into .tools/saml-idp"
    folder = tmp_path_factory.mktemp("saml-idp")
    make_key_pair(folder / "idp.key", folder / "idp.crt", "saml-idp")
    make_key_pair(folder / "sp.key", folder / "sp.crt", "sp")
    public = x509.load_pem_x509_certificate((folder / "sp.crt").read_bytes()).public_key()
    (folder / "sp.pub").write_bytes(
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (folder / "attributes.js").write_text(_attribute_config(ADULT.replace("-", "")), encoding="utf-8")
    port = free_port()
    command = [
        node, str(SAML_IDP), "--host", HOST, "--port", str(port), "--issuer", ISSUER,
        "--cert", str(folder / "idp.crt"), "--key", str(folder / "idp.key"),
        "--acsUrl", f"{PUBLIC}{BASE}/saml/acs/", "--audience", f"{PUBLIC}{BASE}/saml/metadata/",
        "--configFile", str(folder / "attributes.js"), "--authnContextClassRef", LOA3,
        "--signResponse", "false", "--encryptAssertion",
        "--encryptionCert", str(folder / "sp.crt"), "--encryptionPublicKey", str(folder / "sp.pub"),
    ]
    log = folder / "saml-idp.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=folder, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True, env={**os.environ, "NODE_ENV": "production"})
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"saml-idp stopped at start:\n{log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("saml-idp did not start within 20 s")
            time.sleep(0.1)
        url = f"http://{HOST}:{port}"
        with urllib.request.urlopen(f"{url}/metadata", timeout=10) as answer:
            (folder / "idp.xml").write_bytes(answer.read())
        yield SamlIdp(url, folder / "idp.xml", log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _fields(page: str) -> dict[str, str]:
    fields = {}
    for tag in INPUT.findall(page):
        name, value = re.search(r'name=["\']([^"\']+)', tag), re.search(r'value=["\']([^"\']*)', tag)
        if name:
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
    return fields


def saml_idp_login(idp: SamlIdp, location: str) -> str:
    """A person's login at saml-idp, as a browser without JavaScript does it: the AuthnRequest's
    redirect, the login form posted as it is filled in, and the SAMLResponse of the answer form."""
    assert location.startswith(idp.url + "/"), location
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with browser.open(location, timeout=10) as answer:
        page = answer.read().decode("utf-8")
    form = _fields(page)
    assert "_authnRequest" in form, page[-2000:]
    action = re.search(r'<form action="([^"]+)"[^>]*method="post"', page)
    assert action, page[-2000:]
    body = urllib.parse.urlencode(form).encode("ascii")
    with browser.open(urllib.parse.urljoin(location, html.unescape(action.group(1))), body, timeout=10) as answer:
        page = answer.read().decode("utf-8")
    assert f'action="{PUBLIC}{BASE}/saml/acs/"' in page, page[-2000:]
    return _fields(page)["SAMLResponse"]


@pytest.fixture
def interop_app(make_app, saml_idp: SamlIdp, staff_demo_file: Path):
    folder = saml_idp.metadata.parent
    return make_app(FORMS_TEST_LOGIN="", FORMS_DEMO_DATA=str(staff_demo_file), FORMS_PUBLIC_URL=PUBLIC,
                    FORMS_SAML_IDP_METADATA=str(saml_idp.metadata), FORMS_SAML_SP_KEY=str(folder / "sp.key"),
                    FORMS_SAML_SP_CERT=str(folder / "sp.crt"))


OAEP_SHA1 = re.compile(
    r'(<(\w+:)?EncryptionMethod Algorithm="http://www\.w3\.org/2001/04/xmlenc#rsa-oaep-mgf1p">)'
    r'\s*<DigestMethod Algorithm="http://www\.w3\.org/2000/09/xmldsig#sha1"\s*/>'
)


def audit_events(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "forms.platform.audit"]


def test_a_citizen_logs_in_through_saml_idp(interop_app, saml_idp):
    """saml-idp (node's xml-crypto and xml-encryption, not pysaml2's stack) signs the assertion with
    RSA-SHA256 and encrypts it (AES-256-CBC, RSA-OAEP); it writes the OAEP digest out as SHA-1, which
    is rsa-oaep-mgf1p's own default and no signature's, so every check of CONTRACT section 8 accepts it."""
    client = interop_app.test_client()
    response = saml_idp_login(saml_idp, start(client))
    xml = base64.b64decode(response).decode("utf-8")
    assert len(re.findall(r"xmldsig#sha1", xml)) == 1 and OAEP_SHA1.search(xml), "the one SHA-1 is the OAEP digest"
    answer = client.post(f"{BASE}/saml/acs/", data={"SAMLResponse": response})
    assert answer.status_code == 303, answer.text
    inbox = client.get(answer.headers["Location"])
    assert inbox.status_code == 200 and "Interop Testsson" in inbox.text

