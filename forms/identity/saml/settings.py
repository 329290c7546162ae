"""The SAML settings of CONTRACT section 8, read from FORMS_* variables (or the app's config dict).

Kept apart from forms.platform.settings because the identity layer builds the service providers
from them, and because a missing key file must stop the app at start with a message that names
the variable, not fail at the first citizen's login.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

Side = Literal["citizen", "staff"]
PREFIX = "FORMS_"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
SAMBI_LOA3 = "http://id.sambi.se/loa/loa3"


class SamlSettingsError(RuntimeError):
    """The SAML configuration cannot work; the message names the variable to fix."""


@dataclass(frozen=True)
class SpSettings:
    """One service provider: its side, where its IdP's metadata is, and its key pair."""

    side: Side
    public_url: str  # e.g. https://vard.region.se, no trailing slash
    forms_path: str  # e.g. /e-tjanster/
    idp_metadata: str  # a file path or an https URL
    metadata_cert: Path | None
    key_file: Path
    cert_file: Path
    accept_coordination_number: bool
    metadata_retry_seconds: float = 60.0  # a metadata URL that failed is tried again after this

    @property
    def base(self) -> str:
        """The SP's endpoints' common URL: `{forms_url}saml/` or `{forms_url}personal/saml/`."""
        middle = "saml/" if self.side == "citizen" else "personal/saml/"
        return f"{self.public_url}{self.forms_path}{middle}"

    @property
    def entity_id(self) -> str:
        return self.base + "metadata/"

    @property
    def acs_url(self) -> str:
        return self.base + "acs/"

    @property
    def slo_url(self) -> str:
        return self.base + "slo/"

    @property
    def loa(self) -> str:
        return LOA3 if self.side == "citizen" else SAMBI_LOA3

    @property
    def secure(self) -> bool:
        return self.public_url.startswith("https://")


def _readable(name: str, raw: str) -> Path:
    path = Path(raw)
    if not path.is_file():
        raise SamlSettingsError(f"{name}: filen {raw} finns inte")
    return path


def _metadata(name: str, raw: str) -> str:
    if raw.startswith("http://"):
        raise SamlSettingsError(f"{name}: metadata hämtas bara över https, inte {raw}")
    if not raw.startswith("https://"):
        _readable(name, raw)
    return raw


def _seconds(name: str, raw: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        raise SamlSettingsError(f"{name}: ange ett antal sekunder, till exempel 60, inte {raw}") from None
    if not 1 <= seconds <= 86_400:
        raise SamlSettingsError(f"{name}: ange mellan 1 och 86400 sekunder, inte {raw}")
    return seconds


def read_sp_settings(forms_path: str, config: Mapping[str, Any] | None = None,
                     environ: Mapping[str, str] | None = None) -> dict[Side, SpSettings]:
    """The configured SPs: none without FORMS_SAML_IDP_METADATA / FORMS_STAFF_SAML_IDP_METADATA."""
    config = config or {}
    environ = os.environ if environ is None else environ

    def value(name: str) -> str:
        for key in (PREFIX + name, name):
            if config.get(key):
                return str(config[key]).strip()
        return environ.get(PREFIX + name, "").strip()

    citizen_md, staff_md = value("SAML_IDP_METADATA"), value("STAFF_SAML_IDP_METADATA")
    if not citizen_md and not staff_md:
        return {}
    public = value("PUBLIC_URL").rstrip("/")
    parts = urlsplit(public)
    if parts.scheme not in {"https", "http"} or not parts.netloc or parts.path:
        raise SamlSettingsError("FORMS_PUBLIC_URL ska vara tjänstens adress, till exempel https://vard.region.se")
    if parts.scheme == "http" and parts.hostname not in {"127.0.0.1", "localhost"}:
        raise SamlSettingsError("FORMS_PUBLIC_URL ska börja med https:// (http bara för 127.0.0.1 vid test)")
    cert = value("SAML_METADATA_CERT")
    metadata_cert = _readable("FORMS_SAML_METADATA_CERT", cert) if cert else None
    key = value("SAML_SP_KEY")
    crt = value("SAML_SP_CERT")
    coordination = value("SAML_ACCEPT_COORDINATION_NUMBER").lower() in {"1", "true", "yes", "on", "ja"}
    retry = _seconds("FORMS_SAML_METADATA_RETRY_SECONDS", value("SAML_METADATA_RETRY_SECONDS") or "60")
    found: dict[Side, SpSettings] = {}
    if citizen_md:
        if not key or not crt:
            raise SamlSettingsError("FORMS_SAML_SP_KEY och FORMS_SAML_SP_CERT behövs för SAML-inloggningen")
        found["citizen"] = SpSettings(
            "citizen", public, forms_path, _metadata("FORMS_SAML_IDP_METADATA", citizen_md), metadata_cert,
            _readable("FORMS_SAML_SP_KEY", key), _readable("FORMS_SAML_SP_CERT", crt), coordination, retry,
        )
    if staff_md:
        staff_key = value("STAFF_SAML_SP_KEY") or key
        staff_crt = value("STAFF_SAML_SP_CERT") or crt
        if not staff_key or not staff_crt:
            raise SamlSettingsError(
                "FORMS_STAFF_SAML_SP_KEY och FORMS_STAFF_SAML_SP_CERT (eller FORMS_SAML_SP_*) behövs"
            )
        found["staff"] = SpSettings(
            "staff", public, forms_path, _metadata("FORMS_STAFF_SAML_IDP_METADATA", staff_md), metadata_cert,
            _readable("FORMS_STAFF_SAML_SP_KEY", staff_key), _readable("FORMS_STAFF_SAML_SP_CERT", staff_crt), False,
            retry,
        )
    return found
