"""A metadata *file* with FORMS_SAML_METADATA_CERT set must be signed, on its root, by that
certificate's key (forms.identity.saml.metadata): otherwise the app does not start, with a message
naming the file and the reason; and a file that stops verifying after a refresh refuses every login
with the reason in the log, until a verifying file is back. The metadata is the local IdP's,
signed here as a federation signs its metadata (xmlsec1 through pysaml2, RSA-SHA256).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from saml2.sigver import pre_signature_part
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256

from forms.identity.saml.devidp.keys import make_key_pair
from forms.identity.saml.metadata import MetadataRefused, pem_body
from tests.forms.conftest import ADULT
from tests.forms.saml_support import BASE, SamlWorld, idp_answer, post_acs, start

ENTITY_DESCRIPTOR = "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"
METADATA_ID = "_federation-metadata-1"


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("federation")
    make_key_pair(folder / "fed.key", folder / "fed.crt", "federation")
    return folder / "fed.key", folder / "fed.crt"


def signed(world: SamlWorld, key: Path, cert: Path, sign_alg: str = SIG_RSA_SHA256,
           digest_alg: str = DIGEST_SHA256) -> str:
    """The local IdP's metadata with an ID and an enveloped signature on its root by `key`,
    carrying `cert` in KeyInfo (as a federation's signed metadata does)."""
    xml = re.sub(r"^<\?xml[^>]*\?>\s*", "", world.idp.metadata_xml())
    xml = re.sub(r"(<\w+:EntityDescriptor )", rf'\1ID="{METADATA_ID}" ', xml, count=1)
    template = str(pre_signature_part(METADATA_ID, public_key=pem_body(cert), sign_alg=sign_alg, digest_alg=digest_alg))
    template = re.sub(r"^<\?xml[^>]*\?>\s*", "", template)
    xml = re.sub(r"(<\w+:EntityDescriptor [^>]*>)", lambda m: m.group(1) + template, xml, count=1)
    return world.idp.server.sec.sign_statement(xml, ENTITY_DESCRIPTOR, key_file=str(key), node_id=METADATA_ID)


def configured(world: SamlWorld, metadata: Path, cert: Path) -> dict[str, str]:
    return {**world.config, "FORMS_SAML_IDP_METADATA": str(metadata), "FORMS_STAFF_SAML_IDP_METADATA": str(metadata),
            "FORMS_SAML_METADATA_CERT": str(cert)}


def make(make_app, world: SamlWorld, metadata: Path, cert: Path):
    return make_app(FORMS_TEST_LOGIN="", FORMS_DEMO_DATA=str(world.demo), **configured(world, metadata, cert))


def refused_at_start(make_app, world: SamlWorld, text: str, cert: Path, tmp_path: Path, reason: str) -> None:
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(text, encoding="utf-8")
    with pytest.raises(MetadataRefused) as refusal:
        make(make_app, world, metadata, cert)
    assert refusal.value.reason == f"metadata_{reason}"
    assert str(metadata) in str(refusal.value)


def test_metadata_signed_by_the_configured_certificate_is_accepted_and_a_citizen_logs_in(
        make_app, saml_world, federation, tmp_path):
    key, cert = federation
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(signed(saml_world, key, cert), encoding="utf-8")
    client = make(make_app, saml_world, metadata, cert).test_client()
    answer = post_acs(client, idp_answer(saml_world, start(client), ADULT))
    assert answer.status_code == 303, answer.text


def test_unsigned_metadata_stops_the_start_naming_the_file(make_app, saml_world, federation, tmp_path):
    refused_at_start(make_app, saml_world, saml_world.idp.metadata_xml(), federation[1], tmp_path, "unsigned")


def test_metadata_signed_by_another_key_stops_the_start(make_app, saml_world, federation, tmp_path):
    """Another key with its own certificate in KeyInfo: never a key the file carries itself."""
    text = signed(saml_world, saml_world.foreign_key, saml_world.foreign_cert)
    refused_at_start(make_app, saml_world, text, federation[1], tmp_path, "foreign_key")


def test_metadata_signed_by_another_key_carrying_the_right_certificate_stops_the_start(
        make_app, saml_world, federation, tmp_path):
    """Another key, with the federation's certificate copied into KeyInfo: xmlsec1's verification
    with the configured certificate is what refuses it."""
    text = signed(saml_world, saml_world.foreign_key, federation[1])
    refused_at_start(make_app, saml_world, text, federation[1], tmp_path, "bad_signature")


def test_metadata_changed_after_signing_stops_the_start(make_app, saml_world, federation, tmp_path):
    text = signed(saml_world, *federation)
    tampered = text.replace("http://127.0.0.1:8900/sso", "http://127.0.0.1:8901/sso", 1)
    assert tampered != text
    refused_at_start(make_app, saml_world, tampered, federation[1], tmp_path, "bad_signature")


def test_metadata_signed_with_sha1_stops_the_start(make_app, saml_world, federation, tmp_path):
    text = signed(saml_world, *federation, sign_alg=SIG_RSA_SHA1, digest_alg=DIGEST_SHA1)
    refused_at_start(make_app, saml_world, text, federation[1], tmp_path, "weak_algorithm")


def test_a_refreshed_file_that_no_longer_verifies_refuses_logins_until_a_signed_one_is_back(
        make_app, saml_world, federation, tmp_path, caplog):
    key, cert = federation
    good = signed(saml_world, key, cert)
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(good, encoding="utf-8")
    client = make(make_app, saml_world, metadata, cert).test_client()
    assert client.get(f"{BASE}/saml/logga-in/").status_code == 303

    metadata.write_text(good.replace("http://127.0.0.1:8900/sso", "http://127.0.0.1:8901/sso", 1), encoding="utf-8")
    os.utime(metadata, ns=(1, 1))  # another mtime, however fast the test runs
    for path in (f"{BASE}/saml/logga-in/", f"{BASE}/personal/saml/logga-in/"):
        answer = client.get(path)
        assert answer.status_code == 403 and "<title>Inloggningen misslyckades" in answer.text
        events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "forms.platform.audit"]
        assert events[-1]["event"] == "login_failed" and events[-1]["reason"] == "metadata_bad_signature"

    metadata.write_text(good, encoding="utf-8")
    assert client.get(f"{BASE}/saml/logga-in/").status_code == 303


def test_metadata_from_a_url_is_held_to_the_same_check(saml_world, federation, monkeypatch):
    """pysaml2 takes a URL's document unsigned when it carries no signature; the app fetches it
    itself and verifies it as a file (the fetch is replaced here: no https server in the test)."""
    import forms.identity.saml.metadata as metadata_module
    from forms.identity.saml.settings import read_sp_settings
    from forms.identity.saml.sp import ServiceProvider

    url = "https://federation.invalid/metadata.xml"
    documents = {"now": saml_world.idp.metadata_xml()}
    monkeypatch.setattr(metadata_module, "fetch", lambda fetched: documents["now"].encode("utf-8"))
    config = {**configured(saml_world, Path(url), federation[1]), "FORMS_SAML_IDP_METADATA": url}
    config.pop("FORMS_STAFF_SAML_IDP_METADATA")
    with pytest.raises(MetadataRefused) as refusal:
        _ = ServiceProvider(read_sp_settings(BASE + "/", config)["citizen"]).client
    assert refusal.value.reason == "metadata_unsigned" and url in str(refusal.value)
    documents["now"] = signed(saml_world, *federation)
    sp = ServiceProvider(read_sp_settings(BASE + "/", config)["citizen"])
    assert sp.idp_entity_id() == saml_world.idp.entity_id
