"""Taking a Response at an ACS: every check of CONTRACT section 8, in an order that refuses the
cheapest way first and consumes the request before anything is decrypted.

The result is a `SamlLogin` or `Refused(reason)`. The views turn the first into a session and the
second into the page "Inloggningen misslyckades"; nothing here knows Flask.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from saml2 import BINDING_HTTP_POST
from sqlalchemy import Engine

from forms.identity.personnummer import InvalidPersonnummer, from_identity_provider
from forms.identity.saml import state
from forms.identity.saml.sp import PNR, SKEW_SECONDS, ServiceProvider
from forms.identity.saml.xmlguard import SAML, SAMLP, Refused, check_decrypted, check_response, decode_post, parse

SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
MAX_AGE = datetime.timedelta(minutes=5)  # an IssueInstant older than this is stale
SKEW = datetime.timedelta(seconds=SKEW_SECONDS)
HSA_IDS = ("http://sambi.se/attributes/1/employeeHsaId", "urn:oid:1.2.752.29.6.2.1")
COMMISSION_HSA_ID = "http://sambi.se/attributes/1/commissionHsaId"
COMMISSION_PURPOSE = "http://sambi.se/attributes/1/commissionPurpose"
CARE_PURPOSE = "Vård och behandling"


@dataclass(frozen=True)
class SamlLogin:
    """Who the IdP vouched for, and what single logout needs to name the session later."""

    side: str
    subject: str  # a normalized personnummer, or an HSA-id
    name: str
    name_id: str
    name_id_format: str
    session_index: str
    idp: str
    target: str
    commission_hsa_id: str | None = None


def now_utc() -> datetime.datetime:
    """The real clock: the IdP signs with it and pysaml2 checks with it (never the app's test clock)."""
    return datetime.datetime.now(datetime.UTC)


def _time(value: str | None, reason: str) -> datetime.datetime:
    if not value:
        raise Refused(reason)
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise Refused(reason) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _attributes(assertion: ET.Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for attribute in assertion.iter(f"{SAML}Attribute"):
        values = ["".join(value.itertext()).strip() for value in attribute.iter(f"{SAML}AttributeValue")]
        found.setdefault(attribute.get("Name") or "", []).extend(values)
    return found


def _one(attributes: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        values = attributes.get(name)
        if values:
            if len(values) != 1:
                raise Refused("attribute_many_values")
            return values[0]
    return None


def _check_times(response: ET.Element, assertion: ET.Element, now: datetime.datetime) -> datetime.datetime:
    """Conditions and the bearer confirmation hold now (±60 s); neither message is stale. Returns
    when the assertion expires (for the replay store)."""
    for issued in (response.get("IssueInstant"), assertion.get("IssueInstant")):
        moment = _time(issued, "issue_instant")
        if moment > now + SKEW or moment < now - MAX_AGE - SKEW:
            raise Refused("stale")
    conditions = assertion.find(f"{SAML}Conditions")
    if conditions is None:
        raise Refused("no_conditions")
    ends = []
    if conditions.get("NotBefore") and _time(conditions.get("NotBefore"), "not_before") > now + SKEW:
        raise Refused("not_yet_valid")
    end = _time(conditions.get("NotOnOrAfter"), "no_not_on_or_after")
    if end <= now - SKEW:
        raise Refused("expired")
    ends.append(end)
    return max(ends) + SKEW


def _check_subject(assertion: ET.Element, settings_acs: str, request_id: str, now: datetime.datetime) -> ET.Element:
    subject = assertion.find(f"{SAML}Subject")
    name_id = subject.find(f"{SAML}NameID") if subject is not None else None
    if subject is None or name_id is None or not (name_id.text or "").strip():
        raise Refused("no_name_id")
    confirmations = [c for c in subject.findall(f"{SAML}SubjectConfirmation") if c.get("Method") == BEARER]
    if len(confirmations) != 1:
        raise Refused("no_bearer_confirmation")
    data = confirmations[0].find(f"{SAML}SubjectConfirmationData")
    if data is None or data.get("Recipient") != settings_acs:
        raise Refused("recipient")
    if data.get("InResponseTo") != request_id:
        raise Refused("confirmation_in_response_to")
    if _time(data.get("NotOnOrAfter"), "no_confirmation_end") <= now - SKEW:
        raise Refused("expired")
    if data.get("NotBefore") and _time(data.get("NotBefore"), "not_before") > now + SKEW:
        raise Refused("not_yet_valid")
    return name_id


def _check_audience(assertion: ET.Element, entity_id: str) -> None:
    restrictions = assertion.findall(f"{SAML}Conditions/{SAML}AudienceRestriction")
    if not restrictions:
        raise Refused("audience")
    for restriction in restrictions:
        if entity_id not in [(a.text or "").strip() for a in restriction.findall(f"{SAML}Audience")]:
            raise Refused("audience")


def _authn(assertion: ET.Element, loa: str) -> str:
    statements = assertion.findall(f"{SAML}AuthnStatement")
    if len(statements) != 1:
        raise Refused("authn_statement")
    refs = [(r.text or "").strip() for r in statements[0].iter(f"{SAML}AuthnContextClassRef")]
    if refs != [loa]:
        raise Refused("loa")
    return statements[0].get("SessionIndex") or ""


def _subject_of(sp: ServiceProvider, attributes: dict[str, list[str]]) -> tuple[str, str, str | None]:
    """(personnummer or HSA-id, name, commission HSA-id) from the attributes of the SP's side."""
    if sp.settings.side == "citizen":
        try:
            number = from_identity_provider(_one(attributes, PNR) or "", sp.settings.accept_coordination_number)
        except InvalidPersonnummer as err:
            raise Refused("personnummer_" + err.reason) from None
        name = _one(attributes, "urn:oid:2.16.840.1.113730.3.1.241") or " ".join(
            part for part in (_one(attributes, "urn:oid:2.5.4.42"), _one(attributes, "urn:oid:2.5.4.4")) if part
        )
        return number, name, None
    hsa_id = (_one(attributes, *HSA_IDS) or "").strip().upper()
    if not hsa_id or len(hsa_id) > 40:
        raise Refused("no_hsa_id")
    purpose = _one(attributes, COMMISSION_PURPOSE)
    if purpose is not None and purpose != CARE_PURPOSE:
        raise Refused("commission_purpose")
    given = _one(attributes, "http://sambi.se/attributes/1/givenName", "urn:oid:2.5.4.42")
    surname = _one(attributes, "http://sambi.se/attributes/1/surname", "urn:oid:2.5.4.4")
    commission = _one(attributes, COMMISSION_HSA_ID)
    return hsa_id, " ".join(p for p in (given, surname) if p), commission[:40] if commission else None


def take_response(sp: ServiceProvider, engine: Engine, form_value: str | None, binding: str | None) -> SamlLogin:
    """The login a posted SAMLResponse proves, or Refused with the reason (no session either way)."""
    xml = decode_post(form_value)
    root = parse(xml)
    client = sp.client
    if root.tag != f"{SAMLP}Response":
        raise Refused("not_a_response")
    now = now_utc()
    outstanding = state.take_request(
        engine, request_id=root.get("InResponseTo") or "", side=sp.settings.side, binding=binding, now=now
    )
    if isinstance(outstanding, str):
        raise Refused(outstanding)
    certs = sp.idp_certs(outstanding.idp)
    check_response(root, certs)
    try:
        decrypted = client.sec.decrypt(xml.decode("utf-8"))
    except Exception:
        raise Refused("decryption_failed") from None
    droot = parse(decrypted.encode("utf-8") if isinstance(decrypted, str) else decrypted)
    assertion = check_decrypted(droot, certs)
    # Our checks first, on the decrypted tree (the same bytes pysaml2 verifies next): each refuses
    # with its own reason, before pysaml2's coarser errors could.
    status = root.find(f"{SAMLP}Status/{SAMLP}StatusCode")
    if status is None or status.get("Value") != SUCCESS:
        raise Refused("status")
    for issuer in (root.find(f"{SAML}Issuer"), assertion.find(f"{SAML}Issuer")):
        if issuer is None or (issuer.text or "").strip() != outstanding.idp:
            raise Refused("issuer")
    if root.get("Destination") != sp.settings.acs_url:
        raise Refused("destination")
    expires = _check_times(root, assertion, now)
    name_id = _check_subject(assertion, sp.settings.acs_url, outstanding.request_id, now)
    _check_audience(assertion, sp.settings.entity_id)
    session_index = _authn(assertion, sp.settings.loa)
    subject, name, commission = _subject_of(sp, _attributes(assertion))
    try:  # the signatures (by the metadata's keys only), decryption, and pysaml2's own conditions
        answer = client.parse_authn_request_response(
            form_value, BINDING_HTTP_POST, outstanding={outstanding.request_id: outstanding.target}
        )
    except Exception as error:  # pysaml2 refuses by raising dozens of types: each is a refusal
        raise Refused("pysaml2_" + type(error).__name__) from None
    if answer is None or answer.assertion is None:
        raise Refused("pysaml2_none")
    if not state.accept_assertion_once(engine, assertion.get("ID") or "", expires, now):
        raise Refused("replayed")
    return SamlLogin(
        side=sp.settings.side, subject=subject, name=name[:200], name_id=(name_id.text or "").strip(),
        name_id_format=name_id.get("Format") or "", session_index=session_index, idp=outstanding.idp,
        target=outstanding.target, commission_hsa_id=commission,
    )
