"""Single logout both ways (CONTRACT section 8), with the local IdP's own SAML code in-process.

"Logga ut" sends a signed (RSA-SHA256) LogoutRequest naming the session and takes the IdP's
LogoutResponse; a LogoutRequest from the IdP whose query signature verifies with the metadata's
key ends the session it names on another app instance sharing the database, and is answered with
a signed LogoutResponse (Success) by redirect. One signed by another key, by SHA-1, unsigned, or
naming another session's index ends nothing.
"""

from __future__ import annotations

import base64
import urllib.parse
import zlib
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask
from flask.testing import FlaskClient
from saml2 import BINDING_HTTP_REDIRECT
from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID
from saml2.sigver import pre_signature_part
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256
from sqlalchemy import select

from forms.identity.demo_data import load_demo_data
from forms.identity.saml import slo
from forms.identity.saml.devidp.web import create_idp_app
from forms.store.db import WebSession
from tests.forms.conftest import ADULT, csrf_token
from tests.forms.saml_support import BASE, IDP_BASE, PUBLIC, SamlWorld, idp_answer, post_acs, start
from tests.forms.staff_support import RECEIVER

SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"


@pytest.fixture
def two_nodes(saml_app: Flask, make_app: Any, saml_world: SamlWorld, staff_demo_file: Path) -> tuple[Flask, Flask]:
    """Two app instances on one database (make_app's is per test), as two nodes behind nginx."""
    other = make_app(FORMS_TEST_LOGIN="", FORMS_DEMO_DATA=str(staff_demo_file), **saml_world.config)
    return saml_app, other


def log_in(client: FlaskClient, world: SamlWorld, side: str = "citizen") -> dict[str, str]:
    """A login through the IdP's real response; returns what the session keeps for single logout."""
    staff = side == "staff"
    before = saml_of(client.application, side)
    answer = post_acs(client, idp_answer(world, start(client, side=side), RECEIVER if staff else ADULT, staff=staff),
                      side=side)
    assert answer.status_code == 303, answer.status_code
    (new,) = [saml for saml in saml_of(client.application, side) if saml not in before]
    return new


def saml_of(app: Flask, side: str) -> list[dict[str, str]]:
    """The SAML names of the sessions of `side` in the database (what an IdP's request is matched to)."""
    engine = app.extensions["hittavard_forms"].store.engine
    with engine.connect() as connection:
        rows = [data for (data,) in connection.execute(select(WebSession.data)) if data.get("saml")]
    return [row["saml"] for row in rows if ("commission_hsa_id" in row) == (side == "staff")]


def logged_in(client: FlaskClient, side: str = "citizen") -> bool:
    if side == "citizen":
        return client.get(f"{BASE}/inkorg/").status_code == 200
    page = client.get(f"{BASE}/personal/")
    while page.status_code == 303 and page.headers["Location"].startswith(BASE):  # to the mottagning, or the login
        page = client.get(page.headers["Location"])
    return page.status_code == 200 and "personal/logga-ut/" in page.text


def sp_slo(side: str) -> str:
    return f"{PUBLIC}{BASE}/saml/slo/" if side == "citizen" else f"{PUBLIC}{BASE}/personal/saml/slo/"


def sp_entity(side: str) -> str:
    return f"{PUBLIC}{BASE}/saml/metadata/" if side == "citizen" else f"{PUBLIC}{BASE}/personal/saml/metadata/"


def idp_logout_request(world: SamlWorld, saml: dict[str, str], side: str = "citizen") -> str:
    """The IdP's LogoutRequest (XML) naming a session by NameID and SessionIndex."""
    _id, request = world.idp.server.create_logout_request(
        sp_slo(side), sp_entity(side), name_id=NameID(text=saml["name_id"], format=NAMEID_FORMAT_TRANSIENT),
        session_indexes=[saml["index"]], sign=False,
    )
    return str(request)


def signed_by_idp(world: SamlWorld, xml: str, side: str = "citizen") -> str:
    """pysaml2's own HTTP-Redirect binding, signed RSA-SHA256 by the IdP's key: the path and query."""
    info = world.idp.server.apply_binding(BINDING_HTTP_REDIRECT, xml, sp_slo(side), "", sign=True,
                                          sigalg=SIG_RSA_SHA256)
    location = next(value for key, value in info["headers"] if key == "Location")
    return location.removeprefix(PUBLIC)


def signed_by(key_file: Path, xml: str, side: str = "citizen", sigalg: str = SIG_RSA_SHA256) -> str:
    """The same binding built by hand, signed by any key with any algorithm."""
    deflated = zlib.compress(xml.encode("utf-8"))[2:-4]
    signed = urllib.parse.urlencode({"SAMLRequest": base64.b64encode(deflated).decode(), "SigAlg": sigalg})
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    digest = hashes.SHA1() if sigalg == SHA1 else hashes.SHA256()
    signature = key.sign(signed.encode("ascii"), padding.PKCS1v15(), digest)  # type: ignore[union-attr,call-arg]
    path = sp_slo(side).removeprefix(PUBLIC)
    return f"{path}?{signed}&" + urllib.parse.urlencode({"Signature": base64.b64encode(signature).decode()})


def idp_parses_request(world: SamlWorld, query: dict[str, str]) -> Any:
    """The IdP takes the SP's LogoutRequest, its query signature checked by pysaml2 (as the dev IdP does)."""
    return world.idp.server.parse_logout_request(
        query["SAMLRequest"], BINDING_HTTP_REDIRECT, sigalg=query["SigAlg"], signature=query["Signature"]
    ).message


def idp_parses_response(world: SamlWorld, location: str) -> Any:
    """The IdP takes the SP's LogoutResponse (pysaml2 checks its XML); returns the message."""
    assert location.startswith(IDP_BASE + "slo?"), location
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert query["SigAlg"] == SIG_RSA_SHA256
    answer = world.idp.server.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT)
    return answer.response


def sp_cert(world: SamlWorld) -> list[str]:
    pem = (world.folder / "sp.crt").read_text()
    return ["".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)]


# SP-initiated -------------------------------------------------------------------------------------

def test_logga_ut_sends_a_signed_logout_request_and_takes_the_idps_response(saml_app, saml_world):
    client = saml_app.test_client()
    saml = log_in(client, saml_world)
    inbox = client.get(f"{BASE}/inkorg/")
    answer = client.post(f"{BASE}/logga-ut/", data={"csrf_token": csrf_token(inbox.text)})
    location = answer.headers["Location"]
    assert answer.status_code == 303 and location.startswith(IDP_BASE + "slo?SAMLRequest="), location
    raw = urllib.parse.urlsplit(location).query
    assert "SigAlg=" + urllib.parse.quote(SIG_RSA_SHA256, safe="") in raw
    slo.verify_query_signature(raw, "SAMLRequest", sp_cert(saml_world))  # RSA-SHA256 by the SP's key
    query = dict(urllib.parse.parse_qsl(raw))
    request = idp_parses_request(saml_world, query)
    assert request.name_id.text == saml["name_id"] and [i.text for i in request.session_index] == [saml["index"]]
    assert request.issuer.text == sp_entity("citizen")
    assert not logged_in(client)  # ended here before the IdP is even asked
    # The dev IdP's page answers with a signed LogoutResponse by redirect; the app takes it.
    idp_web = create_idp_app(saml_world.idp, load_demo_data(saml_world.demo)).test_client()
    back = idp_web.get(location.removeprefix(IDP_BASE.rstrip("/")))
    assert back.status_code == 303 and back.headers["Location"].startswith(sp_slo("citizen") + "?SAMLResponse=")
    slo.verify_query_signature(urllib.parse.urlsplit(back.headers["Location"]).query, "SAMLResponse",
                               saml_world.sp().idp_certs(saml_world.idp.entity_id))
    done = client.get(back.headers["Location"].removeprefix(PUBLIC))
    assert done.status_code == 303 and done.headers["Location"] == f"{BASE}/utloggad/"


def test_a_logout_response_signed_by_another_key_is_refused(saml_app, saml_world, caplog):
    client = saml_app.test_client()
    log_in(client, saml_world)
    answer = client.post(f"{BASE}/logga-ut/", data={"csrf_token": csrf_token(client.get(f"{BASE}/inkorg/").text)})
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))
    request = idp_parses_request(saml_world, query)
    response = str(saml_world.idp.server.create_logout_response(request, [BINDING_HTTP_REDIRECT], sign=False))
    forged = signed_by(saml_world.foreign_key, response).replace("SAMLRequest=", "SAMLResponse=", 1)
    assert client.get(forged).status_code == 400
    assert "bad_signature" in caplog.text


# IdP-initiated ------------------------------------------------------------------------------------

@pytest.mark.parametrize("side", ["citizen", "staff"])
def test_an_idp_logout_request_ends_the_named_session_on_the_other_node(two_nodes, saml_world, side):
    one, other = two_nodes
    client, bystander = one.test_client(), one.test_client()
    saml = log_in(client, saml_world, side)
    log_in(bystander, saml_world, side)
    answer = other.test_client().get(signed_by_idp(saml_world, idp_logout_request(saml_world, saml, side), side))
    assert answer.status_code == 303, answer.status_code
    location = answer.headers["Location"]
    slo.verify_query_signature(urllib.parse.urlsplit(location).query, "SAMLResponse", sp_cert(saml_world))
    response = idp_parses_response(saml_world, location)
    assert response.status.status_code.value == "urn:oasis:names:tc:SAML:2.0:status:Success"
    assert response.issuer.text == sp_entity(side)
    assert not logged_in(client, side)
    assert logged_in(bystander, side)  # another session of the same IdP is not touched


def test_an_idp_logout_request_signed_by_another_key_ends_nothing(two_nodes, saml_world, caplog):
    one, other = two_nodes
    client = one.test_client()
    saml = log_in(client, saml_world)
    forged = signed_by(saml_world.foreign_key, idp_logout_request(saml_world, saml))
    assert other.test_client().get(forged).status_code == 400
    assert logged_in(client)
    assert '"reason": "bad_signature"' in caplog.text


def test_the_same_request_signed_by_the_idps_key_by_hand_is_taken(two_nodes, saml_world):
    """The hand-made binding above is right: with the IdP's key it ends the session, so the
    refusals below are the key's and the algorithm's doing, not the helper's."""
    one, other = two_nodes
    client = one.test_client()
    saml = log_in(client, saml_world)
    assert other.test_client().get(signed_by(saml_world.folder / "idp.key", idp_logout_request(saml_world, saml))).status_code == 303
    assert not logged_in(client)


def test_an_idp_logout_request_signed_with_sha1_ends_nothing(two_nodes, saml_world, caplog):
    one, other = two_nodes
    client = one.test_client()
    saml = log_in(client, saml_world)
    weak = signed_by(saml_world.folder / "idp.key", idp_logout_request(saml_world, saml), sigalg=SHA1)
    assert other.test_client().get(weak).status_code == 400
    assert logged_in(client) and '"reason": "weak_signature_algorithm"' in caplog.text


def test_an_unsigned_idp_logout_request_ends_nothing(two_nodes, saml_world, caplog):
    one, other = two_nodes
    client = one.test_client()
    saml = log_in(client, saml_world)
    signed = signed_by_idp(saml_world, idp_logout_request(saml_world, saml))
    unsigned = "&".join(part for part in signed.split("&") if not part.startswith(("Signature=", "SigAlg=")))
    assert other.test_client().get(unsigned).status_code == 400
    assert logged_in(client) and '"reason": "unsigned_redirect"' in caplog.text


def test_an_idp_logout_request_naming_another_sessions_index_ends_nothing(two_nodes, saml_world):
    one, other = two_nodes
    client, bystander = one.test_client(), one.test_client()
    saml = log_in(client, saml_world)
    others = log_in(bystander, saml_world)
    wrong = {"name_id": saml["name_id"], "index": others["index"]}  # this NameID, the other session's index
    answer = other.test_client().get(signed_by_idp(saml_world, idp_logout_request(saml_world, wrong)))
    assert answer.status_code == 303  # answered, as the IdP asked, but nothing it named is here
    assert logged_in(client) and logged_in(bystander)


# IdP-initiated over HTTP-POST: the signature is in the XML ---------------------------------------

def idp_logout_post(world: SamlWorld, saml: dict[str, str], key: Path | None = None, sign: bool = True,
                    cert: Path | None = None, sign_alg: str = SIG_RSA_SHA256) -> str:
    """The IdP's LogoutRequest for the HTTP-POST binding (base64), its XML signed RSA-SHA256/SHA-256
    by the IdP's key, or by `key`; KeyInfo carries the IdP's certificate, or `cert`."""
    _id, request = world.idp.server.create_logout_request(
        sp_slo("citizen"), sp_entity("citizen"), name_id=NameID(text=saml["name_id"], format=NAMEID_FORMAT_TRANSIENT),
        session_indexes=[saml["index"]], sign=False,
    )
    if sign:
        carried = world.idp.server.sec.my_cert if cert is None else "".join(
            line for line in cert.read_text().splitlines() if "CERTIFICATE" not in line)
        request.signature = pre_signature_part(request.id, carried, 1, sign_alg=sign_alg,
                                               digest_alg=DIGEST_SHA256)
    xml = str(request)
    if sign:
        xml = world.idp.server.sec.sign_statement(
            xml, "urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest", key_file=str(key) if key else None,
            node_id=request.id,
        )
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")


def post_slo(app: Flask, message: str) -> Any:
    return app.test_client().post(sp_slo("citizen").removeprefix(PUBLIC), data={"SAMLRequest": message})


def test_an_idp_logout_request_posted_ends_the_named_session_on_the_other_node(two_nodes, saml_world):
    one, other = two_nodes
    client, bystander = one.test_client(), one.test_client()
    saml = log_in(client, saml_world)
    log_in(bystander, saml_world)
    answer = post_slo(other, idp_logout_post(saml_world, saml))
    assert answer.status_code == 303, answer.status_code
    location = answer.headers["Location"]
    slo.verify_query_signature(urllib.parse.urlsplit(location).query, "SAMLResponse", sp_cert(saml_world))
    response = idp_parses_response(saml_world, location)
    assert response.status.status_code.value == "urn:oasis:names:tc:SAML:2.0:status:Success"
    assert not logged_in(client)
    assert logged_in(bystander)


def test_an_idp_logout_request_posted_with_a_signature_by_another_key_ends_nothing(two_nodes, saml_world, caplog):
    one, other = two_nodes
    client = one.test_client()
    saml = log_in(client, saml_world)
    assert post_slo(other, idp_logout_post(saml_world, saml, key=saml_world.foreign_key)).status_code == 400
    assert logged_in(client) and '"reason": "bad_signature"' in caplog.text


def test_an_idp_logout_request_posted_with_a_key_of_its_own_in_key_info_ends_nothing(two_nodes, saml_world, caplog):
    """Signed by another key that the message itself vouches for: only the metadata's keys count."""
    one, other = two_nodes
    client = one.test_client()
    saml = log_in(client, saml_world)
    forged = idp_logout_post(saml_world, saml, key=saml_world.foreign_key, cert=saml_world.foreign_cert)
    assert post_slo(other, forged).status_code == 400
    assert logged_in(client) and '"reason": "foreign_key_info"' in caplog.text


def test_an_idp_logout_request_posted_signed_with_sha1_ends_nothing(two_nodes, saml_world, caplog):
    one, other = two_nodes
    client = one.test_client()
    saml = log_in(client, saml_world)
    assert post_slo(other, idp_logout_post(saml_world, saml, sign_alg=SHA1)).status_code == 400
    assert logged_in(client) and '"reason": "weak_signature_algorithm"' in caplog.text


def test_an_unsigned_idp_logout_request_posted_ends_nothing(two_nodes, saml_world, caplog):
    one, other = two_nodes
    client = one.test_client()
    saml = log_in(client, saml_world)
    assert post_slo(other, idp_logout_post(saml_world, saml, sign=False)).status_code == 400
    assert logged_in(client) and '"reason": "unsigned_post"' in caplog.text


def test_an_idp_logout_request_posted_with_its_name_id_changed_after_signing_ends_nothing(two_nodes, saml_world):
    """The signature is checked over what is read: the IdP's signed request for one session, edited to name another."""
    one, other = two_nodes
    client, bystander = one.test_client(), one.test_client()
    saml = log_in(client, saml_world)
    others = log_in(bystander, saml_world)
    xml = base64.b64decode(idp_logout_post(saml_world, saml)).decode("utf-8")
    edited = xml.replace(saml["name_id"], others["name_id"]).replace(saml["index"], others["index"])
    assert post_slo(other, base64.b64encode(edited.encode()).decode()).status_code == 400
    assert logged_in(client) and logged_in(bystander)


def test_an_idp_logout_request_posted_naming_another_sessions_index_ends_nothing(two_nodes, saml_world):
    one, other = two_nodes
    client, bystander = one.test_client(), one.test_client()
    saml = log_in(client, saml_world)
    others = log_in(bystander, saml_world)
    wrong = {"name_id": saml["name_id"], "index": others["index"]}  # this NameID, the other session's index
    assert post_slo(other, idp_logout_post(saml_world, wrong)).status_code == 303
    assert logged_in(client) and logged_in(bystander)


@pytest.mark.parametrize("message", [
    "", "inte base64!", base64.b64encode(b"<x/>").decode(), "A" * 200_000,
    base64.b64encode(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>').decode(),
], ids=["empty", "garbage", "not-a-logout-request", "huge", "dtd"])
def test_anything_posted_to_the_slo_that_is_not_a_logout_request_is_a_400(saml_app, message, caplog):
    assert post_slo(saml_app, message).status_code == 400
    assert '"event": "logout_refused"' in caplog.text and "Traceback" not in caplog.text
