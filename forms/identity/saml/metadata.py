"""The IdP's (or federation's) metadata, file or https URL, verified against FORMS_SAML_METADATA_CERT.

The metadata names the keys every login is checked with, so whoever can change it can log in as
anyone. pysaml2 never checks a file's signature, and takes a URL's document unsigned when it
carries no signature at all; so both are verified here, by xmlsec1 through pysaml2's own crypto
backend, before pysaml2 sees them, and pysaml2 is given the very bytes that were verified (loaded
"inline"), so that a file changed between the check and the load is never trusted.

A signature must be on the root element itself: one that covers only a part would leave the rest
(an added IdP, a swapped certificate) unsigned, which is how signature wrapping works.
"""

from __future__ import annotations

from pathlib import Path

import requests
from saml2.sigver import CryptoBackendXmlSec1, SigverError

from forms.identity.saml.settings import SamlSettingsError
from forms.identity.saml.xmlguard import DIGEST_METHODS, DS, SIGNATURE_METHODS, Refused, parse, refuse_dtd

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
ROOTS = {f"{MD}EntitiesDescriptor": "urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor",
         f"{MD}EntityDescriptor": "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"}
MAX_METADATA_BYTES = 200_000_000  # a national federation's file is tens of MB; this bounds a mistake
FETCH_TIMEOUT = 30
WHY = {
    "unreadable": "filen kan inte läsas",
    "too_large": "filen är för stor",
    "not_xml": "filen är inte välformad XML (eller har en DTD)",
    "not_metadata": "filen är inte SAML-metadata (EntitiesDescriptor eller EntityDescriptor)",
    "unsigned": "metadatan är inte signerad",
    "signature_not_on_root": "signaturen gäller inte hela metadatan",
    "weak_algorithm": "signaturen använder en algoritm som inte godtas (till exempel SHA-1)",
    "foreign_key": "signaturen bär ett annat certifikat än FORMS_SAML_METADATA_CERT",
    "bad_signature": "signaturen stämmer inte med certifikatet (en annan nyckel, eller ändrad efter signering)",
}


class MetadataRefused(Refused, SamlSettingsError):
    """The metadata file does not verify: at start the app stops with this message; after a
    refresh every login is refused with `reason` (metadata_*) in the log."""

    def __init__(self, path: str, reason: str) -> None:
        Refused.__init__(self, "metadata_" + reason)
        self.args = (f"IdP-metadatan {path} godtas inte: {WHY[reason]}.",)


def pem_body(cert: Path) -> str:
    text = cert.read_text(encoding="ascii", errors="replace")
    return "".join(line.strip() for line in text.splitlines() if line.strip() and "CERTIFICATE" not in line)


def fetch(url: str) -> bytes:
    """The document at an https URL (certificate checked), bounded in time and size."""
    with requests.get(url, timeout=FETCH_TIMEOUT, stream=True) as answer:
        answer.raise_for_status()
        data = answer.raw.read(MAX_METADATA_BYTES + 1, decode_content=True)
    return bytes(data)


def verified_metadata(path: str, cert: Path, xmlsec_binary: str) -> str:
    """The metadata's text (a file, or an https URL), only when its root carries one signature by
    `cert`'s key."""
    try:
        data = fetch(path) if path.startswith("https://") else Path(path).read_bytes()
    except (OSError, requests.RequestException):
        raise MetadataRefused(path, "unreadable") from None
    if len(data) > MAX_METADATA_BYTES:
        raise MetadataRefused(path, "too_large")
    try:
        refuse_dtd(data)
        root = parse(data)
    except Refused:
        raise MetadataRefused(path, "not_xml") from None
    if root.tag not in ROOTS:
        raise MetadataRefused(path, "not_metadata")
    signatures = [child for child in root if child.tag == f"{DS}Signature"]
    if not signatures:
        raise MetadataRefused(path, "unsigned")
    references = [ref for sig in signatures for ref in sig.iter(f"{DS}Reference")]
    root_id = root.get("ID")
    if len(signatures) != 1 or len(references) != 1 or references[0].get("URI") != (f"#{root_id}" if root_id else ""):
        raise MetadataRefused(path, "signature_not_on_root")
    signature = signatures[0]
    methods = [m.get("Algorithm") for m in signature.iter(f"{DS}SignatureMethod")]
    digests = [m.get("Algorithm") for m in signature.iter(f"{DS}DigestMethod")]
    if not methods or not digests or any(m not in SIGNATURE_METHODS for m in methods) or any(
        d not in DIGEST_METHODS for d in digests
    ):
        raise MetadataRefused(path, "weak_algorithm")
    expected = pem_body(cert)
    for carried in signature.iter(f"{DS}X509Certificate"):
        if "".join((carried.text or "").split()) != expected:
            raise MetadataRefused(path, "foreign_key")
    backend = CryptoBackendXmlSec1(xmlsec_binary)
    try:
        verified = backend.validate_signature(data, str(cert), "pem", ROOTS[root.tag], root_id)
    except SigverError:  # xmlsec1 said FAILED, or could not read the signature
        verified = False
    if not verified:
        raise MetadataRefused(path, "bad_signature")
    return data.decode("utf-8")
