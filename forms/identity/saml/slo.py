"""Single logout: the LogoutRequest the app sends, and the ones and answers an IdP sends.

pysaml2 checks an HTTP-Redirect message's query signature only when asked, and then re-encodes
the query before checking; the signature covers the octets as the IdP sent them, so the check
here takes the raw query string, exactly as received, and the certificates of the IdP's metadata.
An HTTP-POST LogoutRequest is signed in its XML instead: that signature must be the root's own,
by xmlsec1 against a certificate of the metadata only (never a key the message carries), before
pysaml2 parses the very bytes that were verified.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import tempfile
import xml.etree.ElementTree as ET
from urllib.parse import unquote_plus

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.saml import NameID
from saml2.samlp import LogoutRequest
from saml2.sigver import CryptoBackendXmlSec1, SigverError
from saml2.xmldsig import SIG_RSA_SHA256

from forms.identity.saml.sp import ServiceProvider, xmlsec_binary
from forms.identity.saml.xmlguard import DS, SAMLP, Refused, algorithms, decode_post, no_foreign_keys, parse, refuse_dtd

HASHES = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}
MAX_QUERY = 20_000
LOGOUT_REQUEST_NODE = "urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest"


def saml_key(side: str, idp: str, name_id: str, session_index: str) -> str:
    """What a session is found by when its IdP asks to end it: a hash, so no NameID sits in the
    session row or its index."""
    return hashlib.sha256("\n".join((side, idp, name_id, session_index)).encode()).hexdigest()


def verify_query_signature(raw_query: str, kind: str, certs: list[str]) -> None:
    """The HTTP-Redirect signature over `kind=…&RelayState=…&SigAlg=…` as received, by a metadata key."""
    if len(raw_query) > MAX_QUERY:
        raise Refused("too_large")
    parts = {}
    for piece in raw_query.split("&"):
        name, _, value = piece.partition("=")
        if name in parts:
            raise Refused("duplicate_parameter")
        parts[name] = value
    if kind not in parts or "SigAlg" not in parts or "Signature" not in parts:
        raise Refused("unsigned_redirect")
    algorithm = HASHES.get(unquote_plus(parts["SigAlg"]))
    if algorithm is None:
        raise Refused("weak_signature_algorithm")
    signed = "&".join(f"{name}={parts[name]}" for name in (kind, "RelayState", "SigAlg") if name in parts)
    try:
        signature = base64.b64decode(unquote_plus(parts["Signature"]), validate=True)
    except (binascii.Error, ValueError):
        raise Refused("bad_base64") from None
    for cert in certs:
        key = x509.load_der_x509_certificate(base64.b64decode("".join(cert.split()))).public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            continue
        try:
            key.verify(signature, signed.encode("ascii"), padding.PKCS1v15(), algorithm())
            return
        except InvalidSignature:
            continue
    raise Refused("bad_signature")


def logout_request_url(sp: ServiceProvider, idp: str, name_id: str, name_id_format: str,
                       session_index: str) -> str | None:
    """A signed (HTTP-Redirect, RSA-SHA256) LogoutRequest to the IdP, or None when it has no SLO."""
    destination = sp.slo_url(idp)
    if destination is None:
        return None
    client = sp.client
    _request_id, request = client.create_logout_request(  # pysaml2 returns (its ID, the message)
        destination, idp, name_id=NameID(text=name_id, format=name_id_format or None),
        session_indexes=[session_index] if session_index else None, sign=False,
    )
    info = client.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination, "", sign=True, sigalg=SIG_RSA_SHA256)
    return str(next(value for key, value in info["headers"] if key == "Location"))


def verify_xml_signature(xml: bytes, root: ET.Element, node_name: str, certs: list[str]) -> None:
    """The message's own enveloped signature (one, on the root, SHA-2) verifies with a metadata certificate.

    Only the root's signature counts: one that covers a child would leave the rest (the NameID, the
    SessionIndex) unsigned, which is how signature wrapping works; so would a second element with the root's ID."""
    signatures = [child for child in root if child.tag == f"{DS}Signature"]
    if not signatures and next(root.iter(f"{DS}Signature"), None) is None:
        raise Refused("unsigned_post")
    references = [ref for sig in signatures for ref in sig.iter(f"{DS}Reference")]
    root_id = root.get("ID") or ""
    if len(signatures) != 1 or len(references) != 1 or not root_id or references[0].get("URI") != "#" + root_id:
        raise Refused("signature_not_on_root")
    ids = [node.get("ID") for node in root.iter() if node.get("ID") is not None]
    if len(ids) != len(set(ids)):
        raise Refused("duplicate_id")
    algorithms(root)
    no_foreign_keys(root, certs)
    backend = CryptoBackendXmlSec1(xmlsec_binary())
    for cert in certs:  # several during a key rollover: any one of the metadata's will do
        body = "".join(cert.split())
        pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
        with tempfile.NamedTemporaryFile("w", suffix=".pem", encoding="ascii") as cert_file:
            cert_file.write(pem + "\n-----END CERTIFICATE-----\n")
            cert_file.flush()
            try:
                if backend.validate_signature(xml, cert_file.name, "pem", node_name, root_id):
                    return
            except SigverError:  # xmlsec1 said FAILED, or could not read the signature
                continue
    raise Refused("bad_signature")


def _answer(sp: ServiceProvider, idp: str, logout: LogoutRequest) -> tuple[str, str]:
    """The session's key a verified LogoutRequest names, and the signed LogoutResponse's URL (HTTP-Redirect,
    whichever binding the request came by: the IdP's metadata offers it, and it needs no page of ours)."""
    if logout.issuer is None or (logout.issuer.text or "").strip() != idp:
        raise Refused("issuer")
    if logout.name_id is None:
        raise Refused("no_name_id")
    indexes = [index.text or "" for index in (logout.session_index or [])]
    key = saml_key(sp.settings.side, idp, (logout.name_id.text or "").strip(), indexes[0] if indexes else "")
    destination = sp.slo_url(idp)
    if destination is None:
        raise Refused("no_slo_service")
    client = sp.client
    answer = client.create_logout_response(logout, [BINDING_HTTP_REDIRECT], sign=False)
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT, str(answer), destination, "", response=True, sign=True, sigalg=SIG_RSA_SHA256
    )
    return key, str(next(value for k, value in info["headers"] if k == "Location"))


def _parsed(sp: ServiceProvider, message: str, binding: str) -> LogoutRequest:
    try:
        request = sp.client.parse_logout_request(message, binding)
    except Exception:
        raise Refused("bad_logout_request") from None
    if request is None:
        raise Refused("bad_logout_request")
    return request.message  # type: ignore[no-any-return]


def take_logout_request(sp: ServiceProvider, raw_query: str, message: str) -> tuple[str, str]:
    """The IdP's LogoutRequest by HTTP-Redirect, its query signed: (the session's key to end, the answer's URL)."""
    idp = sp.idp_entity_id()
    verify_query_signature(raw_query, "SAMLRequest", sp.idp_certs(idp))
    return _answer(sp, idp, _parsed(sp, message, BINDING_HTTP_REDIRECT))


def take_logout_request_post(sp: ServiceProvider, message: str | None) -> tuple[str, str]:
    """The IdP's LogoutRequest by HTTP-POST, signed in its XML: (the session's key to end, the answer's URL)."""
    xml = decode_post(message)
    root = parse(xml)
    if root.tag != f"{SAMLP}LogoutRequest":
        raise Refused("not_a_logout_request")
    idp = sp.idp_entity_id()
    verify_xml_signature(xml, root, LOGOUT_REQUEST_NODE, sp.idp_certs(idp))
    # pysaml2 reads the bytes just verified (base64 of `xml`, never the form's value again).
    return _answer(sp, idp, _parsed(sp, base64.b64encode(xml).decode("ascii"), BINDING_HTTP_POST))


def take_logout_response(sp: ServiceProvider, raw_query: str, message: str, binding: str) -> None:
    """The IdP's answer to our LogoutRequest: checked, though the session has already ended."""
    idp = sp.idp_entity_id()
    if binding == BINDING_HTTP_REDIRECT:
        verify_query_signature(raw_query, "SAMLResponse", sp.idp_certs(idp))
    else:
        try:
            refuse_dtd(base64.b64decode(message))
        except (binascii.Error, ValueError):
            raise Refused("bad_base64") from None
    try:
        answer = sp.client.parse_logout_request_response(message, binding)
    except Exception:
        raise Refused("bad_logout_response") from None
    if answer is None:
        raise Refused("bad_logout_response")


__all__ = ["BINDING_HTTP_POST", "BINDING_HTTP_REDIRECT", "logout_request_url", "saml_key", "take_logout_request",
           "take_logout_request_post"]
