"""A refusal test for each check of CONTRACT section 8, each made from a real signed and encrypted
response of the local IdP: tampered, re-signed (by the IdP's key unless the test is about the key)
and re-encrypted. Each must give the page "Inloggningen misslyckades" (403), the event
`login_failed` with its own reason code, and no session."""

from __future__ import annotations

import base64
import json
import re

import pytest

from tests.forms.conftest import ADULT, personnummer
from tests.forms.saml_support import BASE, idp_answer, post_acs, start, tamper
from tests.forms.staff_support import RECEIVER

PNR = ADULT.replace("-", "")
ASSERTION_NS = "encas2"


@pytest.fixture
def client(shared_saml_app):
    return shared_saml_app.test_client()


def fresh(client, world, **kwargs) -> str:
    return idp_answer(world, start(client), ADULT, **kwargs)


def refused(caplog, answer, reason: str, had_session: bool = False) -> None:
    assert answer.status_code == 403, (answer.status_code, answer.headers.get("Location"))
    assert "<title>Inloggningen misslyckades" in answer.text and "Försök logga in igen" in answer.text
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "forms.platform.audit"]
    failed = [e for e in events if e["event"] == "login_failed"]
    assert failed and failed[-1]["reason"].startswith(reason), failed[-1:]
    assert PNR not in caplog.text and ADULT not in caplog.text
    if not had_session:
        assert "session=" not in answer.headers.get("Set-Cookie", "")


def sub(pattern: str, replacement: str, count: int = 1):
    def edit(text: str) -> str:
        changed, done = re.subn(pattern, replacement, text, count=count, flags=re.S)
        assert done, pattern
        return changed
    return edit


def test_the_untampered_response_passes_the_tamper_helper(client, saml_world):
    """The helper itself changes nothing that matters: a re-signed, re-encrypted response logs in."""
    answer = post_acs(client, tamper(saml_world, fresh(client, saml_world)))
    assert answer.status_code == 303, answer.text


# Signatures -------------------------------------------------------------------------------------

def test_an_unsigned_assertion_is_refused(client, saml_world, caplog):
    unsigned = tamper(saml_world, fresh(client, saml_world), assertion=sub(r"<encas0:Signature .*?</encas0:Signature>", ""),
                      sign_assertion=False)
    refused(caplog, post_acs(client, unsigned), "assertion_not_signed")


def test_an_unsigned_response_and_assertion_are_refused(client, saml_world, caplog):
    bare = tamper(saml_world, fresh(client, saml_world), assertion=sub(r"<encas0:Signature .*?</encas0:Signature>", ""),
                  outer=sub(r"<ns2:Signature .*?</ns2:Signature>", ""), sign_assertion=False, sign_response=False)
    refused(caplog, post_acs(client, bare), "assertion_not_signed")


def test_an_assertion_signed_by_a_key_not_in_the_metadata_is_refused(client, saml_world, caplog):
    forged = tamper(saml_world, fresh(client, saml_world), assertion_key=saml_world.foreign_key)
    refused(caplog, post_acs(client, forged), "pysaml2_")


def test_a_key_carried_in_keyinfo_is_never_used(client, saml_world, caplog):
    foreign = "".join(line for line in saml_world.foreign_cert.read_text().splitlines() if "CERT" not in line)
    forged = tamper(saml_world, fresh(client, saml_world), assertion_key=saml_world.foreign_key,
                    assertion=sub(r"<encas0:X509Certificate>[^<]*", f"<encas0:X509Certificate>{foreign}"))
    refused(caplog, post_acs(client, forged), "foreign_key_info")


def test_an_rsa_sha1_signature_is_refused(client, saml_world, caplog):
    # xmlsec1 on Debian no longer signs with rsa-sha1, so the algorithm is named without re-signing:
    # the check reads the algorithm before any signature is verified.
    sha1 = tamper(saml_world, fresh(client, saml_world), sign_assertion=False,
                  assertion=sub(r"2001/04/xmldsig-more#rsa-sha256", "2000/09/xmldsig#rsa-sha1"))
    refused(caplog, post_acs(client, sha1), "weak_signature_algorithm")


def test_a_sha1_digest_is_refused(client, saml_world, caplog):
    sha1 = tamper(saml_world, fresh(client, saml_world),
                  assertion=sub(r"http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2000/09/xmldsig#sha1"))
    refused(caplog, post_acs(client, sha1), "weak_digest_algorithm")


# Signature wrapping -----------------------------------------------------------------------------

def _evil_copy(assertion: str) -> str:
    evil = re.sub(r"<encas0:Signature .*?</encas0:Signature>", "", assertion, flags=re.S)
    return evil.replace(PNR, "191212121212").replace(' ID="', ' ID="evil-')


def test_a_second_assertion_beside_the_signed_one_is_refused(client, saml_world, caplog):
    wrapped = tamper(saml_world, fresh(client, saml_world),
                     outer=lambda doc: doc.replace("</ns1:EncryptedAssertion>", "</ns1:EncryptedAssertion>"
                                                   + _plain_assertion()))
    refused(caplog, post_acs(client, wrapped), "plaintext_assertion")


def _plain_assertion() -> str:
    return ('<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="evil" Version="2.0" '
            'IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>x</saml:Issuer></saml:Assertion>')


def test_an_assertion_in_extensions_is_refused(client, saml_world, caplog):
    wrapped = tamper(saml_world, fresh(client, saml_world),
                     outer=sub(r"(<ns0:Status>)", '<ns0:Extensions>' + _plain_assertion() + r"</ns0:Extensions>\1"))
    refused(caplog, post_acs(client, wrapped), "plaintext_assertion")


def test_an_assertion_hidden_in_a_signature_object_is_refused(client, saml_world, caplog):
    def hide(assertion: str) -> str:
        return assertion.replace("</encas0:Signature>", "<encas0:Object>" + _evil_copy(assertion) + "</encas0:Object></encas0:Signature>", 1)
    wrapped = tamper(saml_world, fresh(client, saml_world), assertion=hide, sign_assertion=False)
    refused(caplog, post_acs(client, wrapped), "wrapping")


def test_a_nested_assertion_is_refused(client, saml_world, caplog):
    def nest(assertion: str) -> str:
        return assertion.replace("</encas2:Subject>", "</encas2:Subject><encas2:Advice>" + _evil_copy(assertion) + "</encas2:Advice>", 1)
    refused(caplog, post_acs(client, tamper(saml_world, fresh(client, saml_world), assertion=nest)), "wrapping")


def test_duplicate_ids_are_refused(client, saml_world, caplog):
    def twin(assertion: str) -> str:
        assertion_id = re.search(r' ID="([^"]+)"', assertion).group(1)
        return assertion.replace("<encas2:Subject>", f'<encas2:Subject><encas2:NameID ID="{assertion_id}">x</encas2:NameID>', 1)
    refused(caplog, post_acs(client, tamper(saml_world, fresh(client, saml_world), assertion=twin)), "duplicate_id")


def test_an_xml_comment_inside_the_personnummer_is_refused(client, saml_world, caplog):
    commented = tamper(saml_world, fresh(client, saml_world), assertion=sub(PNR, PNR[:8] + "<!-- x -->" + PNR[8:]))
    refused(caplog, post_acs(client, commented), "xml_comment")


def test_a_plaintext_assertion_is_refused(client, saml_world, caplog):
    plain = tamper(saml_world, fresh(client, saml_world), encrypt=False)
    refused(caplog, post_acs(client, plain), "plaintext_assertion")


# Who it is for, and when ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (sub(r"<encas2:Audience>[^<]*", "<encas2:Audience>https://annan.example/sp"), "audience"),
        (sub(r'Recipient="[^"]*"', 'Recipient="https://annan.example/acs"'), "recipient"),
        (sub(r"(<encas2:Issuer[^>]*>)[^<]*", r"\1https://annan.example/idp"), "issuer"),
        (sub(r'(<encas2:Conditions NotBefore=)"[^"]*" NotOnOrAfter="[^"]*"', r'\1"2020-01-01T00:00:00Z" NotOnOrAfter="2020-01-01T00:05:00Z"'), "expired"),
        (sub(r'(<encas2:Conditions NotBefore=)"[^"]*"', r'\1"2099-01-01T00:00:00Z"'), "not_yet_valid"),
        (sub(r'(<encas2:Assertion [^>]*IssueInstant=)"[^"]*"', r'\1"2020-01-01T00:00:00Z"'), "stale"),
        (sub(r"loa/1.0/loa3<", "loa/1.0/loa2<"), "loa"),
    ],
    ids=["audience", "recipient", "issuer", "expired", "not-yet-valid", "stale", "loa2"],
)
def test_a_response_not_for_this_sp_or_not_valid_now_is_refused(client, saml_world, caplog, edit, reason):
    refused(caplog, post_acs(client, tamper(saml_world, fresh(client, saml_world), assertion=edit)), reason)


def test_a_wrong_destination_is_refused(client, saml_world, caplog):
    wrong = tamper(saml_world, fresh(client, saml_world), outer=sub(r'Destination="[^"]*"', 'Destination="https://annan.example/acs"'))
    refused(caplog, post_acs(client, wrong), "destination")


@pytest.mark.parametrize("loa", ["http://id.elegnamnden.se/loa/1.0/loa2", "http://id.elegnamnden.se/loa/1.0/uncertified-loa3"])
def test_a_lower_level_of_assurance_from_the_idp_is_refused(client, saml_world, caplog, loa):
    refused(caplog, post_acs(client, fresh(client, saml_world, loa=loa)), "loa")


# InResponseTo and replay ------------------------------------------------------------------------

def test_a_response_used_twice_is_refused(client, saml_world, caplog):
    response = fresh(client, saml_world)
    assert post_acs(client, response).status_code == 303
    refused(caplog, post_acs(client, response), "reused_in_response_to", had_session=True)


def same_id(assertion_id: str):
    def edit(assertion: str) -> str:
        old = re.search(r'<encas2:Assertion [^>]*? ID="([^"]+)"', assertion).group(1)
        return assertion.replace(f'ID="{old}"', f'ID="{assertion_id}"').replace(f'URI="#{old}"', f'URI="#{assertion_id}"')
    return edit


def test_an_assertion_id_accepted_before_is_refused_on_a_new_request(client, saml_world, caplog):
    first = tamper(saml_world, fresh(client, saml_world), assertion=same_id("id-replayed-1"))
    assert post_acs(client, first).status_code == 303
    again = tamper(saml_world, fresh(client, saml_world), assertion=same_id("id-replayed-1"))
    refused(caplog, post_acs(client, again), "replayed", had_session=True)


def test_an_assertion_accepted_by_one_node_is_refused_by_the_other(shared_saml_app, content_dir, saml_world, caplog):
    """Two app nodes on one database: the replay store is the database, so the second node refuses."""
    from forms import create_app

    other_node = create_app({**shared_saml_app.config, **saml_world.config, "FORMS_CONTENT_DIR": str(content_dir),
                             "FORMS_DEMO_DATA": str(saml_world.demo), "FORMS_SECRET_KEY": "test-secret-key",
                             "FORMS_DATABASE_URL": str(shared_saml_app.extensions["hittavard_forms"].store.engine.url)})
    first, second = shared_saml_app.test_client(), other_node.test_client()
    assert post_acs(first, tamper(saml_world, fresh(first, saml_world), assertion=same_id("id-two-nodes"))).status_code == 303
    refused(caplog, post_acs(second, tamper(saml_world, fresh(second, saml_world), assertion=same_id("id-two-nodes"))),
            "replayed")


def test_an_unknown_in_response_to_is_refused(client, saml_world, caplog):
    unknown = tamper(saml_world, fresh(client, saml_world), outer=sub(r'InResponseTo="[^"]*"', 'InResponseTo="id-unknown"'))
    refused(caplog, post_acs(client, unknown), "unknown_in_response_to")


def test_an_unsolicited_response_is_refused(client, saml_world, caplog):
    unsolicited = tamper(saml_world, fresh(client, saml_world), outer=sub(r' InResponseTo="[^"]*"', ""))
    refused(caplog, post_acs(client, unsolicited), "missing_in_response_to")


def test_a_response_to_another_browsers_request_is_refused(shared_saml_app, client, saml_world, caplog):
    response = fresh(client, saml_world)
    refused(caplog, post_acs(shared_saml_app.test_client(), response), "other_browser")


# The personnummer -------------------------------------------------------------------------------

def _coordination() -> str:
    return personnummer("19700161", "123").replace("-", "")


@pytest.mark.parametrize(
    ("value", "reason"),
    [(None, "personnummer_not_12_digits"), ("19700101-1234", "personnummer_not_12_digits"),
     (PNR[:-1] + str((int(PNR[-1]) + 1) % 10), "personnummer_bad_check_digit"),
     ("197013011234", "personnummer_bad_date"), ("coordination", "personnummer_coordination_number")],
    ids=["missing", "dash", "check-digit", "date", "samordningsnummer"],
)
def test_a_missing_or_malformed_personnummer_is_refused(client, saml_world, caplog, value, reason):
    value = _coordination() if value == "coordination" else value
    attributes = {"urn:oid:2.16.840.1.113730.3.1.241": ["Vera Vuxen"]}
    if value is not None:
        attributes["urn:oid:1.2.752.29.4.13"] = [value]
    refused(caplog, post_acs(client, fresh(client, saml_world, attributes=attributes)), reason)


def test_a_samordningsnummer_logs_in_when_the_region_accepts_them(make_app, saml_world):
    app = make_app(FORMS_TEST_LOGIN="", FORMS_DEMO_DATA=str(saml_world.demo), FORMS_SAML_ACCEPT_COORDINATION_NUMBER="1",
                   **saml_world.config)
    client = app.test_client()
    attributes = {"urn:oid:1.2.752.29.4.13": [_coordination()], "urn:oid:2.16.840.1.113730.3.1.241": ["Sam Ordning"]}
    answer = post_acs(client, idp_answer(saml_world, start(client), "", attributes=attributes))
    assert answer.status_code == 303
    assert "Sam Ordning" in client.get(f"{BASE}/inkorg/").text


# No DTD -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "prolog",
    ['<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>', '<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'],
    ids=["external-entity", "entity-expansion"],
)
def test_a_dtd_or_entity_is_refused_before_parsing(client, saml_world, caplog, prolog):
    xml = base64.b64decode(fresh(client, saml_world)).decode()
    xml = re.sub(r"^<\?xml[^>]*\?>", "", xml)
    refused(caplog, post_acs(client, base64.b64encode((prolog + xml).encode()).decode()), "dtd")


# Staff ------------------------------------------------------------------------------------------

STAFF_ATTRS = "http://sambi.se/attributes/1/"


def staff_response(client, world, **changes) -> str:
    attributes = {STAFF_ATTRS + "employeeHsaId": [RECEIVER], STAFF_ATTRS + "commissionHsaId": ["SE0000000000-U001"],
                  STAFF_ATTRS + "commissionPurpose": ["Vård och behandling"]}
    for key, value in changes.items():
        if value is None:
            attributes.pop(STAFF_ATTRS + key, None)
        else:
            attributes[STAFF_ATTRS + key] = [value]
    return idp_answer(world, start(client, side="staff"), "", attributes=attributes)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"employeeHsaId": None}, "no_hsa_id"), ({"employeeHsaId": "SE0000000000-X999"}, "unknown_hsa_id"),
     ({"commissionPurpose": "Administration"}, "commission_purpose")],
    ids=["no-hsa-id", "unknown-hsa-id", "other-purpose"],
)
def test_staff_without_a_known_hsa_id_or_with_another_purpose_are_refused(client, saml_world, caplog, changes, reason):
    answer = post_acs(client, staff_response(client, saml_world, **changes), side="staff")
    refused(caplog, answer, reason)
    assert "__Host-staff=" not in answer.headers.get("Set-Cookie", "") or "Max-Age=0" in answer.headers.get("Set-Cookie", "")


def test_a_citizen_response_is_refused_at_the_staff_sp(client, saml_world, caplog):
    citizen = fresh(client, saml_world)
    refused(caplog, post_acs(client, citizen, side="staff"), "unknown_in_response_to")
    # and one made for the staff request but with the citizens' audience and loa3:
    staff = tamper(saml_world, staff_response(client, saml_world),
                   assertion=sub(r"<encas2:Audience>[^<]*", f"<encas2:Audience>http://127.0.0.1:5000{BASE}/saml/metadata/"))
    refused(caplog, post_acs(client, staff, side="staff"), "audience")
    loa = idp_answer(saml_world, start(client, side="staff"), "", loa="http://id.elegnamnden.se/loa/1.0/loa3",
                     attributes={STAFF_ATTRS + "employeeHsaId": [RECEIVER]})
    refused(caplog, post_acs(client, loa, side="staff"), "loa")


# Bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", ["", "%%%not base64%%%", base64.b64encode(b"<not xml").decode(),
                                  base64.b64encode(b"\xff\xfe").decode(), "A" * 200_000])
def test_garbage_at_the_acs_is_refused_without_a_500(client, body):
    answer = client.post(f"{BASE}/saml/acs/", data={"SAMLResponse": body})
    assert answer.status_code in (400, 403, 413)
    assert "Traceback" not in answer.text


def test_a_huge_body_and_a_get_at_the_acs_never_give_a_500(client):
    assert client.post(f"{BASE}/saml/acs/", data={"SAMLResponse": "A" * 600_000}).status_code == 413
    assert client.get(f"{BASE}/saml/acs/").status_code == 405
    assert client.get(f"{BASE}/personal/saml/acs/").status_code == 405


def test_a_relay_state_pointing_away_is_never_followed(client, saml_world):
    answer = client.post(f"{BASE}/saml/acs/", data={"SAMLResponse": fresh(client, saml_world), "RelayState": "https://evil.example/"})
    assert answer.status_code == 303 and answer.headers["Location"].startswith(f"{BASE}/")
    login = client.get(f"{BASE}/saml/logga-in/?next=https://evil.example/")
    assert "evil" not in login.headers["Location"]
