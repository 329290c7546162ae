"""From a clinic file's entries to the e-services a citizen meets.

The contact page and the forms app both need to know, for an entry, its name, category, info text,
where it links and which form serves it. That answer is computed here once, so the page and the
form can never disagree about an e-service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from sitegen.content.models import BorrowEntry, Form, HandAddedEntry, LocalEntry, UseEntry

if TYPE_CHECKING:
    from sitegen.content.loader import Content

Kind = Literal["central", "local", "hand", "borrowed"]


@dataclass(frozen=True)
class ResolvedEService:
    """One e-service as listed on a contact page."""

    id: str | None
    name: str
    category: str
    kind: Kind
    info: str  # Markdown: the villkor for 1177 e-services, `info` for hand-added ones
    form: Form | None = None  # the villkor and pages, for 1177-connected ones
    options: dict[str, list[str]] = field(default_factory=dict)
    form_clinic: str | None = None  # the mottagning whose form serves it
    origin_name: str | None = None  # borrowed: the name of the mottagning it comes from
    url: str | None = None  # hand-added: its own address

    def href(self, forms_url: str) -> str:
        """Where the e-service's name links (CONTRACT section 2)."""
        if self.url is not None:
            return self.url
        return f"{forms_url}{self.form_clinic}/{self.id}/"


def resolve_entry(
    content: Content, slug: str, entry: UseEntry | LocalEntry | BorrowEntry | HandAddedEntry
) -> ResolvedEService:
    """The e-service an entry of clinic `slug` stands for. Content must be validated."""
    if isinstance(entry, UseEntry):
        central = content.eservices[entry.use]
        return ResolvedEService(
            id=entry.use,
            name=central.name,
            category=central.category,
            kind="central",
            info=central.villkor,
            form=central,
            options=entry.options,
            form_clinic=slug,
        )
    if isinstance(entry, LocalEntry):
        return ResolvedEService(
            id=entry.local,
            name=entry.name,
            category=entry.category,
            kind="local",
            info=entry.villkor,
            form=entry,
            options=entry.options,
            form_clinic=slug,
        )
    if isinstance(entry, BorrowEntry):
        origin = find_form(content, entry.from_, entry.borrow)
        if origin is None:
            raise LookupError(f"{slug}: borrow {entry.borrow} from {entry.from_} does not resolve")
        return ResolvedEService(
            id=origin.id,
            name=origin.name,
            category=origin.category,
            kind="borrowed",
            info=origin.info,
            form=origin.form,
            options=origin.options,
            form_clinic=entry.from_,
            origin_name=content.clinics[entry.from_].name,
        )
    return ResolvedEService(
        id=None,
        name=entry.name,
        category=entry.category,
        kind="hand",
        info=entry.info,
        url=entry.url,
    )


def resolve_clinic(content: Content, slug: str) -> list[ResolvedEService]:
    """The clinic's e-services in the order of its file."""
    return [resolve_entry(content, slug, entry) for entry in content.clinics[slug].eservices]


def find_form(content: Content, slug: str, eservice_id: str) -> ResolvedEService | None:
    """The 1177 form that `{forms_url}{slug}/{eservice_id}/` serves, or None if there is none.

    Only the mottagning's own `use` and `local` entries have a form at its address; a borrowed
    e-service links to the address of the mottagning it is borrowed from.
    """
    clinic = content.clinics.get(slug)
    if clinic is None:
        return None
    for entry in clinic.eservices:
        if isinstance(entry, UseEntry) and entry.use == eservice_id and eservice_id in content.eservices:
            return resolve_entry(content, slug, entry)
        if isinstance(entry, LocalEntry) and entry.local == eservice_id:
            return resolve_entry(content, slug, entry)
    return None
