"""What a form needs to know besides its definition: this mottagning's and this citizen's data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from forms.identity.records import Prescription


@dataclass(frozen=True)
class EngineContext:
    """Data the pages are built with.

    `options` are the mottagning's option lists for `options_from`. `prescriptions` is the list the
    citizen may pick from, or None when the rules forbid a list; then `no_list_reason` says why, in
    words for the citizen.
    """

    options: Mapping[str, Sequence[str]] = field(default_factory=dict)
    prescriptions: Sequence[Prescription] | None = None
    no_list_reason: str | None = None

    def prescription(self, prescription_id: str) -> Prescription | None:
        for item in self.prescriptions or ():
            if item.id == prescription_id:
                return item
        return None
