"""Rules that join files: every `use`, `borrow`, `options_from` and booking `clinics` must find
what it names, and site.yaml's `patientnamnden` must not be a mottagning.

A broken reference would be a dead link on a public contact page, so it is a build error, reported
at the key in the clinic file that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.content.errors import ContentError
from sitegen.content.formrules import Loc
from sitegen.content.models import SLUG_PATTERN, BookingEntry, BorrowEntry, Clinic, LocalEntry, UseEntry, entry_id
from sitegen.content.reserved import RESERVED, reserved_message

if TYPE_CHECKING:
    from sitegen.content.bundle import Content


def offered_ids(clinic: Clinic) -> set[str]:
    """The e-services a mottagning offers itself (by `use` or `local`), the ones others may borrow."""
    return {
        entry_id(entry)  # type: ignore[misc]
        for entry in clinic.eservices
        if isinstance(entry, (UseEntry, LocalEntry))
    }


@dataclass(frozen=True)
class Lender:
    """What a clinic file with errors of its own still says it offers, as far as it can be read."""

    name: str
    offered: frozenset[str]


def readable_offers(slug: str, data: Any) -> Lender | None:
    """The ids a broken clinic file offers by `use` or `local`, if every entry can be read.

    An entry that is not a mapping could be anything, so with one of those the file's offers are
    unknown (None) and borrows from it wait until it is fixed; a wrong option or a misspelt key
    elsewhere in an entry does not hide the id it offers.
    """
    if not isinstance(data, dict) or not isinstance(data.get("eservices", []), list):
        return None
    offered: set[str] = set()
    for item in data.get("eservices", []):
        if not isinstance(item, dict):
            return None
        for key in ("use", "local"):
            if key in item:
                if not isinstance(item[key], str) or not re.fullmatch(SLUG_PATTERN, item[key]):
                    return None
                offered.add(item[key])
    name = data.get("name")
    return Lender(name if isinstance(name, str) and name.strip() else slug, frozenset(offered))


def reference_problems(
    content: Content,
    broken_eservices: set[str],
    broken_clinics: set[str],
    lenders: Mapping[str, Lender] | None = None,
) -> Iterator[ContentError]:
    """Every broken reference in every clinic file.

    Files that exist but failed to validate already have their own errors, so references to them
    are not reported again as unknown; a borrow from one of them is still checked against what it
    offers (`lenders`), where that could be read.
    """
    for slug, clinic in content.clinics.items():
        path = content.clinic_path(slug)
        if slug in RESERVED:
            yield content.locate(path, ("name",), f"filnamnet: {reserved_message(slug)}")
        seen: dict[str, int] = {}
        bookings: dict[str, int] = {}
        for index, entry in enumerate(clinic.eservices):
            here = ("eservices", index)
            if isinstance(entry, BookingEntry):
                if entry.booking in bookings:
                    yield content.locate(
                        path,
                        (*here, "booking"),
                        f"'booking: {entry.booking}' finns redan som eservices[{bookings[entry.booking]}]; "
                        "en mottagning har en tidbok",
                    )
                else:
                    bookings[entry.booking] = index
                yield from _booking_clinics_problems(content, slug, path, here, entry, broken_clinics)
                continue
            eid = entry_id(entry)
            if eid is not None and eid in RESERVED and not isinstance(entry, BorrowEntry):
                yield content.locate(path, (*here, _id_key(entry)), reserved_message(eid))
            if eid is not None:
                if eid in seen:
                    yield content.locate(
                        path,
                        (*here, _id_key(entry)),
                        f"'{eid}' finns redan som eservices[{seen[eid]}]; "
                        "ett id får bara förekomma en gång per mottagning",
                    )
                else:
                    seen[eid] = index
            if isinstance(entry, UseEntry):
                yield from _use_problems(content, path, here, entry, broken_eservices)
            elif isinstance(entry, LocalEntry):
                yield from _options_problems(content, path, here, entry.options, entry.options_from_keys(), "local")
            elif isinstance(entry, BorrowEntry):
                yield from _borrow_problems(content, slug, path, here, entry, broken_clinics, lenders or {})


def _id_key(entry: object) -> str:
    if isinstance(entry, UseEntry):
        return "use"
    if isinstance(entry, BorrowEntry):
        return "borrow"
    return "local"


def _use_problems(
    content: Content, path: Path, here: Loc, entry: UseEntry, invalid_files: set[str]
) -> Iterator[ContentError]:
    eservice = content.eservices.get(entry.use)
    if eservice is None:
        if entry.use not in invalid_files:
            yield content.locate(
                path,
                (*here, "use"),
                f"'{entry.use}' finns inte i e-tjänstkatalogen (content/eservices/{entry.use}.yaml saknas)",
            )
        return
    yield from _options_problems(content, path, here, entry.options, eservice.options_from_keys(), "use")


def _options_problems(
    content: Content, path: Path, here: Loc, options: dict[str, list[str]], needed: list[str], id_key: str
) -> Iterator[ContentError]:
    for key in needed:
        if key not in options:
            at = (*here, "options") if options else (*here, id_key)
            yield content.locate(
                path,
                at,
                f"formuläret hämtar svarsalternativ från options_from: {key}, men options.{key} saknas",
            )
        elif not options[key]:
            yield content.locate(path, (*here, "options", key), "listan med svarsalternativ är tom")
    for key in options:
        if key not in needed:
            yield content.locate(
                path,
                (*here, "options", key),
                f"formuläret använder inte options.{key} (stavfel?)"
                + (f"; det behöver: {', '.join(needed)}" if needed else ""),
            )


def _borrow_problems(
    content: Content,
    slug: str,
    path: Path,
    here: Loc,
    entry: BorrowEntry,
    invalid_files: set[str],
    lenders: Mapping[str, Lender],
) -> Iterator[ContentError]:
    if entry.from_ == slug:
        yield content.locate(
            path, (*here, "from"), "en mottagning kan inte låna en e-tjänst från sig själv; använd use"
        )
        return
    origin = content.clinics.get(entry.from_)
    if origin is not None:
        lender = Lender(origin.name, frozenset(offered_ids(origin)))
    elif entry.from_ in lenders:
        lender = lenders[entry.from_]
    else:
        if entry.from_ not in invalid_files:
            yield content.locate(
                path,
                (*here, "from"),
                f"mottagningen '{entry.from_}' finns inte (content/clinics/{entry.from_}.yaml saknas)",
            )
        return
    if entry.borrow not in lender.offered:
        offered = sorted(lender.offered)
        yield content.locate(
            path,
            (*here, "borrow"),
            f"{lender.name} ({entry.from_}) erbjuder inte '{entry.borrow}'"
            + (f"; den erbjuder: {', '.join(offered)}" if offered else ""),
        )


def _booking_clinics_problems(
    content: Content, slug: str, path: Path, here: Loc, entry: BookingEntry, invalid_files: set[str]
) -> Iterator[ContentError]:
    """`clinics:` of a booking entry: only on `boka`, each another mottagning that books on the web.

    Whether that mottagning's tidbok has time types is the app's to know (its database); a file
    with errors of its own is not reported again here.
    """
    if entry.clinics and entry.booking != "boka":
        yield content.locate(
            path, (*here, "clinics"), "clinics gäller bara 'booking: boka': där väljer invånaren var tiden bokas"
        )
        return
    seen: set[str] = set()
    for position, other in enumerate(entry.clinics):
        at = (*here, "clinics", position)
        if other == slug:
            yield content.locate(
                path, at, "mottagningen själv ska inte stå i listan; den kommer alltid först i frågan"
            )
        elif other in seen:
            yield content.locate(path, at, f"'{other}' står redan i listan")
        elif other not in content.clinics:
            if other not in invalid_files:
                yield content.locate(
                    path, at, f"mottagningen '{other}' finns inte (content/clinics/{other}.yaml saknas)"
                )
        elif not any(
            isinstance(item, BookingEntry) and item.booking == "boka" for item in content.clinics[other].eservices
        ):
            yield content.locate(
                path,
                at,
                f"{content.clinics[other].name} ({other}) har ingen 'booking: boka' och tar inte emot "
                "bokningar på webben",
            )
        seen.add(other)


def site_problems(content: Content) -> Iterator[ContentError]:
    """site.yaml against the clinic files: the Patientnämnden unit's slug is a staff unit's own.

    Its cases and staff pages live under that slug, so a mottagning (or an app page) by the same
    name would mix the unit's cases with the mottagning's.
    """
    unit = content.site.patientnamnden
    if unit is None:
        return
    path = content.root / "site.yaml"
    if unit in content.clinics or content.clinic_path(unit).exists():
        yield content.locate(
            path,
            ("patientnamnden",),
            f"'{unit}' är en mottagnings namn (content/clinics/{unit}.yaml); Patientnämnden behöver ett eget",
        )
    elif unit in RESERVED or unit == "mottagningar":
        yield content.locate(path, ("patientnamnden",), reserved_message(unit))
