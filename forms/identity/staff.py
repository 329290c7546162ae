"""Who a logged-in member of staff is: the staff side's counterpart of forms.identity.providers.

The app never checks a SITHS card itself. In production the region's staff identity provider
(SITHS through the region's IdP, SAML or OpenID Connect) vouches for an HSA-id; the app then asks a
`StaffIdentityProvider` for the person's name and title. Roles are not the provider's business:
they are kept per mottagning in the app's own database by the lokal administratör
(forms.staff.roles), starting from the demo file's `staff:` list. See docs/operators.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from forms.identity.demo_data import DemoData


@dataclass(frozen=True)
class StaffPerson:
    hsa_id: str
    name: str
    title: str


class StaffIdentityProvider(Protocol):
    """What the app asks about a member of staff once their HSA-id is verified (never raises)."""

    def find_staff(self, hsa_id: str) -> StaffPerson | None:
        ...


class DemoStaffProvider:
    """The demo file's `staff:` list, for the test login ("Testinloggning för personal")."""

    def __init__(self, data: DemoData) -> None:
        self._staff = {s.hsa_id.upper(): StaffPerson(s.hsa_id, s.name, s.title) for s in data.staff}

    def find_staff(self, hsa_id: str) -> StaffPerson | None:
        return self._staff.get(hsa_id.strip().upper())

    def everyone(self) -> list[StaffPerson]:
        return list(self._staff.values())
