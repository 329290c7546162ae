"""Single logout: the LogoutRequest the app sends, and the ones and answers an IdP sends.

pysaml2 checks an HTTP-Redirect message's query signature only when asked, and then re-encodes
the query before checking; the signature covers the octets as the IdP sent them, so the check
here takes the raw query string, exactly as received, and the certificates of the IdP's metadata.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from urllib.parse import unquote_plus

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.saml import NameID
from saml2.xmldsig import SIG_RSA_SHA256

from forms.identity.saml.sp import ServiceProvider
from forms.identity.saml.xmlguard import Refused, refuse_dtd

HASHES = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}
MAX_QUERY = 20_000


def saml_key(side: str, idp: str, name_id: str, session_index: str) -> str:
    """What a session is found by when its IdP asks to end it: a hash, so no NameID sits in a JSON index."""
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


def take_logout_request(sp: ServiceProvider, raw_query: str, message: str) -> tuple[str, str]:
    """The IdP's signed LogoutRequest: (the session's key to end, the signed LogoutResponse's URL)."""
    idp = sp.idp_entity_id()
    verify_query_signature(raw_query, "SAMLRequest", sp.idp_certs(idp))
    client = sp.client
    try:
        request = client.parse_logout_request(message, BINDING_HTTP_REDIRECT)
    except Exception:
        raise Refused("bad_logout_request") from None
    if request is None:
        raise Refused("bad_logout_request")
    logout = request.message
    if logout.issuer is None or (logout.issuer.text or "").strip() != idp:
        raise Refused("issuer")
    if logout.name_id is None:
        raise Refused("no_name_id")
    indexes = [index.text or "" for index in (logout.session_index or [])]
    key = saml_key(sp.settings.side, idp, (logout.name_id.text or "").strip(), indexes[0] if indexes else "")
    destination = sp.slo_url(idp)
    if destination is None:
        raise Refused("no_slo_service")
    answer = client.create_logout_response(logout, [BINDING_HTTP_REDIRECT], sign=False)
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT, str(answer), destination, "", response=True, sign=True, sigalg=SIG_RSA_SHA256
    )
    return key, str(next(value for k, value in info["headers"] if k == "Location"))


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


__all__ = ["BINDING_HTTP_POST", "BINDING_HTTP_REDIRECT", "logout_request_url", "saml_key", "take_logout_request"]
