"""The dev IdP's SAML side on pysaml2's Server: its metadata, and the answers it signs.

Signs the Response and the Assertion with RSA-SHA256 and encrypts the assertion to the SP, as
Sweden Connect's IdPs do; the tests also use it in-process to get real responses to tamper with.
"""

from __future__ import annotations

import secrets
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import saml2.entity
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from forms.identity.saml.sp import xmlsec_binary

AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
_PYSAML2_ENCRYPTION_PART = saml2.entity.pre_encryption_part


def _aes_encryption_part(**kwargs: object) -> object:
    """pysaml2's IdP always encrypts with 3DES; Sweden Connect's IdPs use AES, and our SP refuses 3DES."""
    return _PYSAML2_ENCRYPTION_PART(msg_enc=AES256_CBC, **kwargs)


saml2.entity.pre_encryption_part = _aes_encryption_part  # the dev IdP's process (and the tests') only

LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
SAMBI_LOA3 = "http://id.sambi.se/loa/loa3"


@dataclass
class DevIdp:
    """One IdP entity at `base` (e.g. http://127.0.0.1:8900/), trusting the SPs of `sp_metadata`."""

    base: str
    key_file: Path
    cert_file: Path
    sp_metadata: list[str]  # files or URLs (fetched when first needed: the app may start later)
    _server: Server | None = None
    _tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="devidp-")))

    @property
    def entity_id(self) -> str:
        return self.base + "metadata"

    def _config(self, metadata_files: list[str]) -> dict[str, object]:
        return {
            "entityid": self.entity_id,
            "key_file": str(self.key_file),
            "cert_file": str(self.cert_file),
            "xmlsec_binary": xmlsec_binary(),
            "metadata": {"local": metadata_files},
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "allow_unknown_attributes": True,
            "delete_tmpfiles": True,
            "service": {
                "idp": {
                    "name": "Lokal test-IdP",
                    "endpoints": {
                        "single_sign_on_service": [(self.base + "sso", BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(self.base + "slo", BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                    "want_authn_requests_signed": True,
                    "sign_response": True,
                    "sign_assertion": True,
                    "encrypt_assertion": True,
                    "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
                }
            },
        }

    def metadata_xml(self) -> str:
        data = create_metadata_string(None, config=IdPConfig().load(self._config([])), valid=None, sign=False)
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    @property
    def server(self) -> Server:
        if self._server is None:
            files = []
            for index, source in enumerate(self.sp_metadata):
                if source.startswith(("http://", "https://")):
                    target = self._tmp / f"sp{index}.xml"
                    with urllib.request.urlopen(source, timeout=10) as answer:
                        target.write_bytes(answer.read())
                    files.append(str(target))
                else:
                    files.append(source)
            server = Server(config=IdPConfig().load(self._config(files)))
            encrypt = server.sec.encrypt_assertion

            def aes_256(
                statement: object, enc_key: str, template: object, key_type: str = "", node_xpath: object = None
            ) -> object:
                return encrypt(statement, enc_key, template, "aes-256", node_xpath)

            server.sec.encrypt_assertion = aes_256  # its session key: AES-256, not pysaml2's default 3DES
            self._server = server
        return self._server

    def parse_authn_request(self, query: dict[str, str]) -> object:
        """The SP's AuthnRequest from the redirect's query; pysaml2 checks its query signature
        against the SP's metadata (want_authn_requests_signed), so an unsigned one raises."""
        if "Signature" not in query or "SigAlg" not in query:
            raise ValueError("unsigned AuthnRequest")
        request = self.server.parse_authn_request(
            query["SAMLRequest"], BINDING_HTTP_REDIRECT, relay_state=query.get("RelayState"),
            sigalg=query["SigAlg"], signature=query["Signature"],
        )
        if request is None:
            raise ValueError("no AuthnRequest")
        return request.message

    def answer(self, request: object, attributes: dict[str, list[str]], loa: str | None = None) -> tuple[str, str]:
        """(the ACS URL, the base64 SAMLResponse) for a login of a person with these attributes."""
        sp = request.issuer.text  # type: ignore[attr-defined]
        acs = request.assertion_consumer_service_url or self.server.metadata.assertion_consumer_service(  # type: ignore[attr-defined]
            sp, BINDING_HTTP_POST
        )[0]["location"]
        wanted = loa or _requested_loa(request)
        response = self.server.create_authn_response(
            identity=attributes,
            in_response_to=request.id,  # type: ignore[attr-defined]
            destination=acs,
            sp_entity_id=sp,
            name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text="_" + secrets.token_hex(16)),
            authn={"class_ref": wanted, "authn_auth": self.entity_id},
            sign_response=True,
            sign_assertion=True,
            encrypt_assertion=True,
            encrypt_assertion_self_contained=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        import base64

        return acs, base64.b64encode(str(response).encode("utf-8")).decode("ascii")


def _requested_loa(request: object) -> str:
    context = getattr(request, "requested_authn_context", None)
    refs = getattr(context, "authn_context_class_ref", None) or []
    return refs[0].text if refs else LOA3
