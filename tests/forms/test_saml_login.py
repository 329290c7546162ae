"""SAML logins through the local IdP's real responses (in-process): the happy paths for citizen and
staff, and a refusal for each check of CONTRACT section 8, each made by tampering a real response."""

from __future__ import annotations

import json

from sqlalchemy import select

from forms.store.db import AccessLogEntry
from tests.forms.conftest import ADULT
from tests.forms.saml_support import BASE, idp_answer, post_acs, start
from tests.forms.staff_support import RECEIVER

PNR = ADULT.replace("-", "")


def citizen_response(client, world, target: str = "") -> str:
    return idp_answer(world, start(client, target=target), ADULT)


def refused_for(caplog, answer, reason: str) -> None:
    """The contract's refusal: 403, the page, the event with this reason, and no session."""
    assert answer.status_code == 403, answer.status_code
    assert "<title>Inloggningen misslyckades" in answer.text
    assert "Försök logga in igen" in answer.text
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "forms.platform.audit"]
    failed = [e for e in events if e["event"] == "login_failed"]
    assert failed and failed[-1]["reason"] == reason, failed
    assert ADULT not in caplog.text and PNR not in caplog.text and "SAMLResponse" not in caplog.text
    assert "__Host-session" not in answer.headers.get("Set-Cookie", "")


def test_a_citizen_logs_in_through_the_idp_and_lands_where_they_were_going(saml_app, saml_world):
    client = saml_app.test_client()
    answer = post_acs(client, citizen_response(client, saml_world, target=f"{BASE}/inkorg/"))
    assert answer.status_code == 303 and answer.headers["Location"] == f"{BASE}/inkorg/"
    inbox = client.get(f"{BASE}/inkorg/")
    assert inbox.status_code == 200 and "Inloggad" in inbox.text


def test_logga_in_sends_a_signed_forced_loa3_request_by_redirect(saml_app, saml_world):
    client = saml_app.test_client()
    login = client.get(f"{BASE}/logga-in/")
    assert login.status_code == 303 and "/saml/logga-in/" in login.headers["Location"]
    location = start(client)
    assert location.startswith("http://127.0.0.1:8900/sso?SAMLRequest=")
    assert "SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256" in location and "Signature=" in location
    import urllib.parse

    request = saml_world.idp.parse_authn_request(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query)))
    assert request.force_authn == "true"
    refs = request.requested_authn_context.authn_context_class_ref
    assert [r.text for r in refs] == ["http://id.elegnamnden.se/loa/1.0/loa3"]
    assert request.requested_authn_context.comparison == "exact"


def test_the_csp_lets_forms_reach_the_idp(saml_app):
    answer = saml_app.test_client().get(f"{BASE}/saml/metadata/")
    assert "form-action 'self' http://127.0.0.1:8900" in answer.headers["Content-Security-Policy"]
    assert "loa3-pnr" in answer.text and 'AuthnRequestsSigned="true"' in answer.text


def test_a_staff_member_logs_in_and_the_commission_is_in_every_access_log_row(saml_app, saml_world):
    client = saml_app.test_client()
    response = idp_answer(saml_world, start(client, side="staff"), RECEIVER, staff=True)
    answer = post_acs(client, response, side="staff")
    assert answer.status_code == 303, answer.text
    cases = client.get(f"{BASE}/personal/", follow_redirects=True)
    assert cases.status_code == 200 and "Rita Mottagare" in cases.text
    engine = saml_app.extensions["hittavard_forms"].store.engine
    with engine.connect() as connection:
        rows = connection.execute(select(AccessLogEntry.action, AccessLogEntry.commission_hsa_id)).all()
    assert {action for action, _ in rows} >= {"login", "list"}
    assert {commission for _, commission in rows} == {RECEIVER}  # the dev IdP's commission for this person


def test_the_sp_metadata_declares_only_the_algorithms_the_checks_accept(saml_app):
    """pysaml2 lists all xmlsec1 knows; an IdP reading SHA-1 or MD5 there could pick one we refuse."""
    import re

    from forms.identity.saml.xmlguard import DIGEST_METHODS, SIGNATURE_METHODS

    for path in (f"{BASE}/saml/metadata/", f"{BASE}/personal/saml/metadata/"):
        metadata = saml_app.test_client().get(path).text
        declared = set(re.findall(r'Algorithm="([^"]+)"', metadata))
        assert "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" in declared
        assert declared <= DIGEST_METHODS | SIGNATURE_METHODS, declared - DIGEST_METHODS - SIGNATURE_METHODS
        assert not [a for a in declared if "sha1" in a or "md5" in a or "ripemd" in a]
