"""What a SAML message must be before pysaml2 sees it: small, base64, no DTD, one encrypted
assertion, no SHA-1, no key of its own; and after decryption, one signed assertion, nothing else.

pysaml2 verifies the signatures, but it accepts rsa-sha1, a plaintext assertion, and (by design)
whatever the XML holds around the signed element. Each rule below closes one of those, and
refuses with a reason code that the log and the tests name.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from defusedxml.ElementTree import DefusedXMLParser

SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
XENC = "{http://www.w3.org/2001/04/xmlenc#}"
MAX_MESSAGE_BYTES = 100_000  # an answer with one assertion is a few kB; more is not an answer

SIGNATURE_METHODS = frozenset({
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
})
DIGEST_METHODS = frozenset({
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
})
ENCRYPTION_METHODS = frozenset({  # content keys (AES-CBC, AES-GCM) and their RSA-OAEP wrapping
    "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
    "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
    "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
    "http://www.w3.org/2009/xmlenc11#aes128-gcm",
    "http://www.w3.org/2009/xmlenc11#aes192-gcm",
    "http://www.w3.org/2009/xmlenc11#aes256-gcm",
    "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
    "http://www.w3.org/2009/xmlenc11#rsa-oaep",
})


class Refused(Exception):
    """The message is refused; `reason` is the code for the log (never the message itself)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode_post(value: str | None) -> bytes:
    """The XML of an HTTP-POST binding's SAMLResponse: strict base64, bounded, no DTD."""
    if not value:
        raise Refused("missing_message")
    if len(value) > MAX_MESSAGE_BYTES * 4 // 3 + 4:
        raise Refused("too_large")
    try:
        xml = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise Refused("bad_base64") from None
    refuse_dtd(xml)
    return xml


def refuse_dtd(xml: bytes) -> None:
    """No DOCTYPE or ENTITY at all, before any parser runs: SAML never needs one (XXE, billion laughs)."""
    try:
        text = xml.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("not_utf8") from None
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise Refused("dtd")


def parse(xml: bytes | str) -> ET.Element:
    """A tree that keeps comments (so that they can be refused), with DTDs forbidden by the parser too."""
    parser = DefusedXMLParser(target=ET.TreeBuilder(insert_comments=True), forbid_dtd=True)
    try:
        parser.feed(xml)
        return parser.close()  # type: ignore[no-any-return]
    except Exception:
        raise Refused("not_xml") from None


def algorithms(root: ET.Element) -> None:
    """No SHA-1 in a signature (CONTRACT section 8). The digest of an EncryptedKey's RSA-OAEP is not a
    signature's: SHA-1 is rsa-oaep-mgf1p's own default there, written out by some IdPs (saml-idp)."""
    for element in root.iter(f"{DS}SignatureMethod"):
        if element.get("Algorithm") not in SIGNATURE_METHODS:
            raise Refused("weak_signature_algorithm")
    for signature in root.iter(f"{DS}Signature"):
        for element in signature.iter(f"{DS}DigestMethod"):
            if element.get("Algorithm") not in DIGEST_METHODS:
                raise Refused("weak_digest_algorithm")


def no_foreign_keys(root: ET.Element, idp_certs: Iterable[str]) -> None:
    """A certificate in a signature's KeyInfo must be one of the metadata's: never a key of its own."""
    known = {"".join(cert.split()) for cert in idp_certs}
    for signature in root.iter(f"{DS}Signature"):
        for cert in signature.iter(f"{DS}X509Certificate"):
            if "".join((cert.text or "").split()) not in known:
                raise Refused("foreign_key_info")
        for tag in ("KeyValue", "RetrievalMethod", "DEREncodedKeyValue"):
            if signature.find(f".//{DS}{tag}") is not None:
                raise Refused("foreign_key_info")


def check_response(root: ET.Element, idp_certs: Iterable[str]) -> None:
    """Before decryption: a Response with one EncryptedAssertion and no plaintext Assertion."""
    if root.tag != f"{SAMLP}Response":
        raise Refused("not_a_response")
    if next(root.iter(f"{SAML}Assertion"), None) is not None:
        raise Refused("plaintext_assertion")
    encrypted = list(root.iter(f"{SAML}EncryptedAssertion"))
    if len(encrypted) != 1 or encrypted[0] not in list(root):
        raise Refused("not_one_encrypted_assertion")
    for element in root.iter(f"{XENC}EncryptionMethod"):
        if element.get("Algorithm") not in ENCRYPTION_METHODS:
            raise Refused("weak_encryption")
    algorithms(root)
    no_foreign_keys(root, idp_certs)


def check_decrypted(root: ET.Element, idp_certs: Iterable[str]) -> ET.Element:
    """After decryption: exactly one Assertion, where it belongs, signed by a signature of its own
    that covers it, no comment inside, no ID twice. Returns the Assertion."""
    assertions = list(root.iter(f"{SAML}Assertion"))
    holders = [child for child in root if child.tag == f"{SAML}EncryptedAssertion"]
    if len(assertions) != 1 or len(holders) != 1 or assertions[0] not in list(holders[0]):
        raise Refused("wrapping")
    assertion = assertions[0]
    if any(node.tag is ET.Comment for node in assertion.iter()):
        raise Refused("xml_comment")
    if next(root.iter(f"{DS}Object"), None) is not None:
        raise Refused("wrapping")
    ids = [node.get("ID") for node in root.iter() if node.get("ID") is not None]
    if len(ids) != len(set(ids)):
        raise Refused("duplicate_id")
    signatures = [child for child in assertion if child.tag == f"{DS}Signature"]
    references = [ref for sig in signatures for ref in sig.iter(f"{DS}Reference")]
    if len(signatures) != 1 or len(references) != 1 or references[0].get("URI") != "#" + (assertion.get("ID") or "?"):
        raise Refused("assertion_not_signed")
    algorithms(root)
    no_foreign_keys(root, idp_certs)
    return assertion
