"""A local IdP in-process (the dev IdP's own SAML code) and an app configured for it, and a helper
that tampers with real signed responses: decrypt, edit, re-sign (with the IdP's key or another),
re-encrypt, re-sign the Response.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from saml2.sigver import pre_encryption_part

from forms.identity.demo_data import load_demo_data
from forms.identity.saml.devidp.idp import AES256_CBC, DevIdp
from forms.identity.saml.devidp.keys import make_key_pair
from forms.identity.saml.devidp.web import attributes_of
from forms.identity.saml.settings import read_sp_settings
from forms.identity.saml.sp import ServiceProvider

PUBLIC = "http://127.0.0.1:5000"
BASE = "/e-tjanster"
IDP_BASE = "http://127.0.0.1:8900/"
ASSERTION_NODE = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
RESPONSE_NODE = "urn:oasis:names:tc:SAML:2.0:protocol:Response"
ASSERTION_XPATH = "/*[local-name()='Response']/*[local-name()='EncryptedAssertion']/*[local-name()='Assertion']"
ASSERTION_RE = re.compile(r"<(\w+):Assertion .*?</\1:Assertion>", re.S)


@dataclass
class SamlWorld:
    folder: Path
    idp: DevIdp
    config: dict[str, str]
    foreign_key: Path
    foreign_cert: Path
    demo: Path

    def sp(self, side: str = "citizen") -> ServiceProvider:
        return ServiceProvider(read_sp_settings(BASE + "/", self.config)[side])  # type: ignore[index]


@pytest.fixture(scope="session")
def saml_world(tmp_path_factory: pytest.TempPathFactory, staff_demo_file: Path) -> SamlWorld:
    folder = tmp_path_factory.mktemp("saml")
    make_key_pair(folder / "sp.key", folder / "sp.crt", "sp")
    make_key_pair(folder / "idp.key", folder / "idp.crt", "idp")
    make_key_pair(folder / "foreign.key", folder / "foreign.crt", "idp")  # same name, another key
    idp = DevIdp(IDP_BASE, folder / "idp.key", folder / "idp.crt", [str(folder / "sp.xml"), str(folder / "staff-sp.xml")])
    (folder / "idp.xml").write_text(idp.metadata_xml(), encoding="utf-8")
    config = {
        "FORMS_PUBLIC_URL": PUBLIC,
        "FORMS_SAML_IDP_METADATA": str(folder / "idp.xml"),
        "FORMS_STAFF_SAML_IDP_METADATA": str(folder / "idp.xml"),
        "FORMS_SAML_SP_KEY": str(folder / "sp.key"),
        "FORMS_SAML_SP_CERT": str(folder / "sp.crt"),
    }
    world = SamlWorld(folder, idp, config, folder / "foreign.key", folder / "foreign.crt", staff_demo_file)
    (folder / "sp.xml").write_text(world.sp("citizen").metadata_xml(), encoding="utf-8")
    (folder / "staff-sp.xml").write_text(world.sp("staff").metadata_xml(), encoding="utf-8")
    return world


@pytest.fixture
def saml_app(make_app: Callable[..., Flask], saml_world: SamlWorld, staff_demo_file: Path) -> Flask:
    return make_app(FORMS_TEST_LOGIN="", FORMS_DEMO_DATA=str(staff_demo_file), **saml_world.config)


def start(client: FlaskClient, side: str = "citizen", target: str = "") -> Any:
    """Logga in at the app: the AuthnRequest the IdP gets (parsed and signature-checked by the IdP)."""
    path = f"{BASE}/saml/logga-in/" if side == "citizen" else f"{BASE}/personal/saml/logga-in/"
    answer = client.get(path + (f"?next={urllib.parse.quote(target)}" if target else ""))
    assert answer.status_code == 303, answer.status_code
    return answer.headers["Location"]


def idp_answer(world: SamlWorld, location: str, who: str, staff: bool = False,
               attributes: dict[str, list[str]] | None = None, loa: str | None = None) -> str:
    """The dev IdP's real, signed and encrypted SAMLResponse (base64) to the request at `location`."""
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    request = world.idp.parse_authn_request(query)
    if attributes is None:
        attributes = attributes_of(load_demo_data(world.demo), who, staff)
    return world.idp.answer(request, attributes, loa=loa)[1]


def post_acs(client: FlaskClient, response: str, side: str = "citizen") -> Any:
    path = f"{BASE}/saml/acs/" if side == "citizen" else f"{BASE}/personal/saml/acs/"
    return client.post(path, data={"SAMLResponse": response})


def _sign(world: SamlWorld, xml: str, node: str, node_id: str, key: Path | None = None) -> str:
    sec = world.idp.server.sec
    signed = sec.sign_statement(xml, node, key_file=str(key) if key else None, node_id=node_id)
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", signed)


def tamper(
    world: SamlWorld,
    response: str,
    assertion: Callable[[str], str] = lambda a: a,
    outer: Callable[[str], str] = lambda r: r,
    sign_assertion: bool = True,
    assertion_key: Path | None = None,
    encrypt: bool = True,
    sign_response: bool = True,
) -> str:
    """A real response changed: its decrypted assertion by `assertion`, the result by `outer`, then
    re-signed (assertion and Response, with the IdP's key unless `assertion_key`) and re-encrypted."""
    xml = base64.b64decode(response).decode("utf-8")
    decrypted = world.sp().client.sec.decrypt(xml)
    match = ASSERTION_RE.search(decrypted)
    assert match is not None
    original = match.group(0)
    edited = assertion(original)
    if sign_assertion:
        assertion_id = re.search(r' ID="([^"]+)"', edited).group(1)  # type: ignore[union-attr]
        edited = _sign(world, edited, ASSERTION_NODE, assertion_id, assertion_key)
    document = decrypted.replace(original, edited)
    document = re.sub(r"^<\?xml[^>]*\?>\s*", "", document)
    if encrypt:
        cert = (world.folder / "sp.crt").read_text()
        body = "".join(line for line in cert.splitlines() if "CERTIFICATE" not in line)
        template = pre_encryption_part(msg_enc=AES256_CBC, encrypt_cert=body)
        document = world.idp.server.sec.encrypt_assertion(
            document, str(world.folder / "sp.crt"), template, "aes-256", ASSERTION_XPATH
        )
        document = re.sub(r"^<\?xml[^>]*\?>\s*", "", str(document))
    document = outer(document)
    if sign_response:
        response_id = re.search(r'<\w+:Response [^>]*ID="([^"]+)"', document).group(1)  # type: ignore[union-attr]
        document = _sign(world, document, RESPONSE_NODE, response_id)
    return base64.b64encode(document.encode("utf-8")).decode("ascii")


@pytest.fixture(scope="module")
def shared_saml_app(content_dir: Path, saml_world: SamlWorld, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """One app for a module's refusal tests: each login has its own request, so they share nothing."""
    from forms import create_app
    from tests.forms.conftest import NOW

    database = tmp_path_factory.mktemp("samldb") / "cases.sqlite3"
    return create_app({
        "FORMS_CONTENT_DIR": str(content_dir), "FORMS_DEMO_DATA": str(saml_world.demo),
        "FORMS_DATABASE_URL": f"sqlite:///{database}", "FORMS_SECRET_KEY": "test-secret-key",
        "CLOCK": lambda: NOW, **saml_world.config,
    })
