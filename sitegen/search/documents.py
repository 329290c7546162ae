"""What the index holds of one mottagning, taken from its rendered contact page's view.

The document is made from the same ContactPage the contact page is rendered from, so the search
shows the e-services (names and count) the page shows, resolved the same way (borrowed ones by
their origin's name, catalogue ones by the catalogue's).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sitegen.site.view import ContactPage, swedish_sort_key


@dataclass(frozen=True)
class SearchDocument:
    slug: str
    name: str
    municipality: str
    street: str
    postal_code: str
    city: str
    eservices: tuple[str, ...]  # the names, in the page's order
    hours: str  # JSON: the card's opening_hours and opening_exceptions, for "Öppet nu" at query time

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.street, f"{self.postal_code} {self.city}".strip()) if part)

    @property
    def address_words(self) -> str:
        """The address as searched: also the postal code without its space, as many type it."""
        compact = self.postal_code.replace(" ", "")
        return f"{self.address}\n{compact}" if compact != self.postal_code else self.address

    @property
    def sort_key(self) -> str:
        return swedish_sort_key(self.name)


def document_of(page: ContactPage) -> SearchDocument:
    clinic = page.clinic
    address = clinic.address
    hours = clinic.model_dump(mode="json", include={"opening_hours", "opening_exceptions"})
    return SearchDocument(
        slug=page.slug,
        name=clinic.name,
        municipality=clinic.municipality,
        street=address.street if address else "",
        postal_code=address.postal_code if address else "",
        city=address.city if address else "",
        eservices=tuple(item.name for item in (*page.visible, *page.more)),
        hours=json.dumps(hours, ensure_ascii=False, sort_keys=True),
    )
