"""All content of one site as one value: what the loader returns and every later stage reads.

Its own module so that the loader and the cross-file reference checks can both name it without
importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.content.errors import ContentError, format_key
from sitegen.content.models import CatalogueEService, Clinic, Site
from sitegen.content.yamlsource import YamlDocument


@dataclass
class Content:
    """All content of one site, validated and cross-checked."""

    root: Path
    site: Site
    eservices: dict[str, CatalogueEService]
    clinics: dict[str, Clinic]
    documents: dict[Path, YamlDocument] = field(default_factory=dict, repr=False)

    def clinic_path(self, slug: str) -> Path:
        return self.root / "clinics" / f"{slug}.yaml"

    def eservice_path(self, eservice_id: str) -> Path:
        return self.root / "eservices" / f"{eservice_id}.yaml"

    def locate(self, path: Path, loc: Sequence[str | int], message: str, level: str = "error") -> ContentError:
        """A finding at `loc` in `path`, with the line looked up in the parsed document."""
        document = self.documents.get(path)
        line = document.line_of(loc) if document is not None else 1
        return ContentError(path, line, format_key(loc), message, level)
