"""One service provider on pysaml2: its configuration, its metadata, and its AuthnRequest.

The pysaml2 client is rebuilt when the IdP metadata changes (a file's modification time, or an
hour for a URL), so a federation's new keys are taken in without a restart; several signing
certificates in the metadata are all accepted, which is how an IdP rolls its key over.

A URL that cannot be fetched (or serves metadata that does not verify) must not take the logins
down with it, nor hold every login for a fetch's timeout: the last good metadata is kept, and the
URL is tried again at most once per FORMS_SAML_METADATA_RETRY_SECONDS, one log line per try.
While one request fetches, the others go on with the kept metadata instead of waiting.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor, metadata_tostring_fix
from saml2.saml import AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext
from saml2.validate import valid_instance
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from forms.identity.saml.metadata import MetadataRefused, verified_metadata
from forms.identity.saml.settings import SpSettings
from forms.identity.saml.xmlguard import DIGEST_METHODS, SIGNATURE_METHODS

REFRESH_SECONDS = 3600  # a metadata URL is fetched again at most this often
SKEW_SECONDS = 60  # CONTRACT section 8: at most 60 s of clock skew
LOA3_PNR = "http://id.elegnamnden.se/ec/1.0/loa3-pnr"
PNR = "urn:oid:1.2.752.29.4.13"
CITIZEN_ATTRIBUTES = {
    PNR: "personalIdentityNumber",
    "urn:oid:2.5.4.42": "givenName",
    "urn:oid:2.5.4.4": "sn",
    "urn:oid:2.16.840.1.113730.3.1.241": "displayName",
}
URI_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
log = logging.getLogger(__name__)


def xmlsec_binary() -> str:
    found = shutil.which("xmlsec1") or "/usr/bin/xmlsec1"
    return found


def _config(settings: SpSettings, with_idp: bool = True) -> dict[str, object]:
    metadata: dict[str, object]
    if not with_idp:  # the SP's own metadata needs no IdP's
        metadata = {}
    elif settings.metadata_cert:  # the bytes verified, not fetched or read again (forms.identity.saml.metadata)
        metadata = {"inline": [verified_metadata(settings.idp_metadata, settings.metadata_cert, xmlsec_binary())]}
    elif settings.idp_metadata.startswith("https://"):
        metadata = {"remote": [{"url": settings.idp_metadata}]}
    else:
        metadata = {"local": [settings.idp_metadata]}
    categories = [LOA3_PNR] if settings.side == "citizen" else []
    requested = (
        [{"name": name, "friendly_name": friendly, "name_format": URI_FORMAT, "required": name == PNR}
         for name, friendly in CITIZEN_ATTRIBUTES.items()]
        if settings.side == "citizen" else []
    )
    return {
        "entityid": settings.entity_id,
        "key_file": str(settings.key_file),
        "cert_file": str(settings.cert_file),
        "encryption_keypairs": [{"key_file": str(settings.key_file), "cert_file": str(settings.cert_file)}],
        "xmlsec_binary": xmlsec_binary(),
        "metadata": metadata,
        "accepted_time_diff": SKEW_SECONDS,
        "allow_unknown_attributes": True,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "entity_category": categories,
        "delete_tmpfiles": True,
        "service": {
            "sp": {
                "name": "Hitta vård" if settings.side == "citizen" else "Hitta vård – personal",
                "endpoints": {
                    "assertion_consumer_service": [(settings.acs_url, BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (settings.slo_url, BINDING_HTTP_REDIRECT),
                        (settings.slo_url, BINDING_HTTP_POST),
                    ],
                },
                "authn_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "logout_requests_signed": True,
                "allow_unsolicited": False,
                "only_use_keys_in_metadata": True,
                "requested_attributes": requested,
            }
        },
    }


def _file_stamp(settings: SpSettings) -> object:
    try:
        return os.stat(settings.idp_metadata).st_mtime_ns
    except OSError:
        return None


def _accepted(element: object) -> bool:
    """False for a DigestMethod or SigningMethod the checks would refuse."""
    tag = getattr(element, "tag", "")
    algorithm = getattr(element, "attributes", {}).get("Algorithm", "")
    if tag == "DigestMethod":
        return algorithm in DIGEST_METHODS
    if tag == "SigningMethod":
        return algorithm in SIGNATURE_METHODS
    return True


@dataclass
class ServiceProvider:
    """An SP whose pysaml2 client follows its IdP's metadata."""

    settings: SpSettings
    _client: Saml2Client | None = None
    _stamp: object = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    clock: Callable[[], float] = time.monotonic
    _next_fetch: float = 0.0  # a URL: when it is fetched again (refresh, or retry after a failure)
    _failure: Exception | None = None  # a URL never fetched yet: why, until the next try

    def _build(self) -> Saml2Client:
        return Saml2Client(config=SPConfig().load(_config(self.settings)))

    @property
    def client(self) -> Saml2Client:
        if self.settings.idp_metadata.startswith("https://"):
            return self._remote_client()
        stamp = _file_stamp(self.settings)
        with self._lock:
            if self._client is None or stamp != self._stamp:
                self._client = self._build()
                self._stamp = stamp
            return self._client

    def _remote_client(self) -> Saml2Client:
        """The client on the URL's metadata: the kept one until the next fetch is due; while a fetch
        runs, other requests keep the kept one rather than wait for it."""
        kept = self._client
        if kept is not None and self.clock() < self._next_fetch:
            return kept
        if not self._lock.acquire(blocking=kept is None):
            return kept  # type: ignore[return-value] - another request is fetching
        try:
            now = self.clock()
            if now < self._next_fetch:  # fetched (or failed) while this request waited for the lock
                if self._client is not None:
                    return self._client
                if self._failure is not None:
                    raise self._failure
            try:
                client = self._build()
            except Exception as error:
                self._next_fetch = now + self.settings.metadata_retry_seconds
                reason = error.reason if isinstance(error, MetadataRefused) else "unreadable"
                log.warning("saml_metadata_fetch_failed reason=%s side=%s kept=%s retry_in_s=%s", reason,
                            self.settings.side, self._client is not None, self.settings.metadata_retry_seconds)
                if self._client is not None:
                    return self._client
                self._failure = error if isinstance(error, MetadataRefused) else MetadataRefused(
                    self.settings.idp_metadata, "unreadable")
                raise self._failure from None
            self._client, self._failure = client, None
            self._next_fetch = now + REFRESH_SECONDS
            return client
        finally:
            self._lock.release()

    def idp_entity_id(self) -> str:
        """The IdP this SP sends its users to: the one IdP in the metadata with an SSO service."""
        metadata = self.client.metadata
        idps = sorted(metadata.identity_providers())
        if not idps:
            raise LookupError("no IdP in the metadata")
        return idps[0]

    def sso_url(self, idp: str) -> str:
        return str(self.client.sso_location(idp, BINDING_HTTP_REDIRECT))

    def slo_url(self, idp: str) -> str | None:
        """The IdP's SingleLogoutService (HTTP-Redirect), or None when it offers none."""
        try:
            services = self.client.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
        except Exception:
            return None
        return str(services[0]["location"]) if services else None

    def idp_certs(self, idp: str) -> list[str]:
        """The IdP's signing certificates (base64 DER) from the metadata: all of them, for rollover."""
        return [cert for _name, cert in self.client.metadata.certs(idp, "idpsso", "signing")]

    def form_action_origins(self) -> list[str]:
        """The origins of the IdP's SSO and SLO services, for the CSP's form-action."""
        try:
            idp = self.idp_entity_id()
            urls = [self.sso_url(idp), self.slo_url(idp) or ""]
        except Exception:
            return []
        origins = []
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme in {"https", "http"} and parts.netloc:
                origins.append(f"{parts.scheme}://{parts.netloc}")
        return origins

    def metadata_xml(self) -> str:
        """The SP's metadata. pysaml2 declares every algorithm xmlsec1 knows (SHA-1 and MD5 too);
        an IdP picks from them, so only what the checks accept is left (forms.identity.saml.xmlguard)."""
        descriptor = entity_descriptor(SPConfig().load(_config(self.settings, with_idp=False)))
        if descriptor.extensions is not None:
            descriptor.extensions.extension_elements = [
                element for element in descriptor.extensions.extension_elements if _accepted(element)
            ]
        valid_instance(descriptor)
        data = metadata_tostring_fix(descriptor, {"xs": "http://www.w3.org/2001/XMLSchema"}, None)
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    def authn_request_url(self, relay_state: str) -> tuple[str, str, str]:
        """A signed (HTTP-Redirect, RSA-SHA256) AuthnRequest: (its ID, the IdP, the URL to send the browser to)."""
        client = self.client
        idp = self.idp_entity_id()
        destination = self.sso_url(idp)
        context = RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=self.settings.loa)], comparison="exact"
        )
        request_id, request = client.create_authn_request(
            destination,
            binding=BINDING_HTTP_POST,  # the binding the answer comes back by
            requested_authn_context=context,
            force_authn="true",
            sign=False,  # HTTP-Redirect signs the query, never the XML
        )
        info = client.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), destination, relay_state, sign=True, sigalg=SIG_RSA_SHA256
        )
        location = next(value for key, value in info["headers"] if key == "Location")
        return request_id, idp, location
