"""The demo identity and record file (CONTRACT section 4), read once and checked.

The test login and the default record system both read this file, so it is parsed in one place,
with every personnummer normalized and Luhn-checked: a typo in the demo file should fail at start,
not as a login that mysteriously does not work.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from forms.identity.personnummer import InvalidPersonnummer, normalize

DEFAULT_DEMO_DATA = Path(__file__).resolve().parent / "demo_data.yaml"


def _personnummer(value: str) -> str:
    try:
        return normalize(value)
    except InvalidPersonnummer as err:
        raise ValueError(f"'{value}': {err.reason}") from None


Personnummer = Annotated[str, AfterValidator(_personnummer)]


class _Lenient(BaseModel):
    # Demo files written by others (tests, operators) may carry notes of their own; ignore them.
    model_config = ConfigDict(extra="ignore", frozen=True)


class DemoPerson(_Lenient):
    personnummer: Personnummer
    name: Annotated[str, Field(min_length=1)]
    children: list[Personnummer] = []


class DemoPrescription(_Lenient):
    personnummer: Personnummer
    clinic: str
    name: Annotated[str, Field(min_length=1)]
    strength: str | None = None
    form: str | None = None
    dosage: str | None = None
    prescribed: datetime.date
    discontinued: datetime.date | None = None


STAFF_ROLES = (
    "arendemottagare", "arendehanterare", "lokal-administrator", "granskare", "verksamhetschef", "tidsbokare",
)


def _roles(value: dict[str, list[str]]) -> dict[str, list[str]]:
    for clinic, roles in value.items():
        unknown = sorted(set(roles) - set(STAFF_ROLES))
        if unknown:
            raise ValueError(f"{clinic}: okänd roll {', '.join(unknown)} (möjliga: {', '.join(STAFF_ROLES)})")
    return value


class DemoStaff(_Lenient):
    """A member of staff (CONTRACT section 6): HSA-id, name, title, and roles per mottagning slug."""

    hsa_id: Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]
    name: Annotated[str, Field(min_length=1)]
    title: str = ""
    roles: Annotated[dict[str, list[str]], AfterValidator(_roles)] = {}


class DemoStandardAnswer(_Lenient):
    clinic: str
    title: Annotated[str, Field(min_length=1, max_length=200)]
    text: Annotated[str, Field(min_length=1)]
    # The e-services (ids) it is for; none: every e-service of the mottagning.
    eservices: list[Annotated[str, Field(pattern=r"^[a-z0-9-]+$", max_length=100)]] = []
    # A mall's kallelse (a time type id of its mottagning's tidbok) and "Be invånaren svara",
    # preselected when staff use it; a standardsvar has neither.
    kallelse: Annotated[str, Field(pattern=r"^[a-z0-9-]*$", max_length=100)] = ""
    asks_reply: bool = False


class DemoData(_Lenient):
    people: list[DemoPerson] = []
    prescriptions: list[DemoPrescription] = []
    staff: list[DemoStaff] = []
    standardsvar: list[DemoStandardAnswer] = []
    mallar: list[DemoStandardAnswer] = []  # the mottagningar's mallar (omvänt ärendeflöde): the same shape


class DemoDataInvalid(ValueError):
    """The demo file cannot be used; the message names the file and what is wrong."""


def load_demo_data(path: Path) -> DemoData:
    """Parse and check the demo file at `path`."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise DemoDataInvalid(f"{path}: kan inte läsas ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise DemoDataInvalid(f"{path}: ogiltig YAML: {err}") from None
    try:
        return DemoData.model_validate(raw or {})
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in err.errors()
        )
        raise DemoDataInvalid(f"{path}: {problems}") from None
