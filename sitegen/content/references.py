"""Rules that join files: every `use`, `borrow` and `options_from` must find what it names.

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
from sitegen.content.models import SLUG_PATTERN, BorrowEntry, Clinic, LocalEntry, UseEntry, entry_id

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
        seen: dict[str, int] = {}
        for index, entry in enumerate(clinic.eservices):
            here = ("eservices", index)
            eid = entry_id(entry)
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
