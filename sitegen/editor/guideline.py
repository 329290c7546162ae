"""The region's e-service guideline (seed 003), checked per mottagning.

The guideline says which ärendetyper a mottagning must offer given what it does: it prescribes
medicines, so Förnya recept; it has no direct booking, so Beställ tid and Av- eller omboka tid.
Which catalogue e-services satisfy which rule differs between regions and over time, so the rules
live in site.yaml (`guideline:`) and this module only evaluates them. A rule broken is an error: the
guideline is a decision of the region's management, not a suggestion.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sitegen.content.models import BorrowEntry, Clinic, GuidelineRule, UseEntry
from sitegen.editor.findings import Finding

if TYPE_CHECKING:
    from sitegen.content.loader import Content


def offered_catalogue_ids(content: Content, clinic: Clinic) -> set[str]:
    """The catalogue e-services a citizen can use from this mottagning's page.

    A `use` counts, and so does a `borrow` of a catalogue e-service: the citizen meets the same
    ärendetyp on the page, only handled by the other mottagning, which is what "erbjuda" means to
    them. A `local` ärendetyp is the mottagning's own form, not the region's ärendetyp, and a
    hand-added e-service is not connected to 1177 at all, so neither counts.
    """
    ids: set[str] = set()
    for entry in clinic.eservices:
        if isinstance(entry, UseEntry):
            ids.add(entry.use)
        elif isinstance(entry, BorrowEntry):
            origin = content.clinics.get(entry.from_)
            if origin is not None and any(
                isinstance(other, UseEntry) and other.use == entry.borrow for other in origin.eservices
            ):
                ids.add(entry.borrow)
    return ids


def applies(rule: GuidelineRule, clinic: Clinic) -> bool:
    """Whether the rule's `when` holds for the clinic's `offers`."""
    if rule.when == "always":
        return True
    negated = rule.when.startswith("not ")
    flag = rule.when.removeprefix("not ")
    return bool(getattr(clinic.offers, flag)) != negated


def _when_text(rule: GuidelineRule) -> str:
    """Why the rule applies, in the editor's own keys: 'offers.advice är true'."""
    if rule.when == "always":
        return ""
    flag = rule.when.removeprefix("not ")
    value = "false" if rule.when.startswith("not ") else "true"
    return f" (offers.{flag} är {value})"


_DETAILS = {
    "address": "besöksadress",
    "phone": "telefonnummer",
    "hsa_id": "HSA-id",
    "opening_hours": "öppettider",
    "about": "text om mottagningen",
}


def _names(content: Content, ids: list[str], conjunction: str) -> str:
    """'Beställ tid (bestall-tid) och Av- eller omboka tid (av-eller-omboka-tid)'."""
    names = [f"{content.eservices[i].name} ({i})" if i in content.eservices else i for i in ids]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def config_problems(content: Content) -> Iterator[Finding]:
    """Mistakes in the guideline itself, at their line in site.yaml.

    A rule naming an e-service that is not in the catalogue could never be met (or, worse, be met by
    nothing the editor can add), so it is an error in the configuration, not in every clinic.
    """
    site_path = content.root / "site.yaml"
    seen: dict[str, int] = {}
    for index, rule in enumerate(content.site.guideline):
        if rule.id in seen:
            yield Finding.from_error(
                content.locate(
                    site_path,
                    ("guideline", index, "id"),
                    f"regeln '{rule.id}' finns redan som guideline[{seen[rule.id]}]; ge varje regel ett eget id",
                ),
                "guideline.config",
            )
        seen.setdefault(rule.id, index)
        for key in ("any_of", "all_of"):
            for position, eservice_id in enumerate(getattr(rule, key) or []):
                if eservice_id not in content.eservices:
                    yield Finding.from_error(
                        content.locate(
                            site_path,
                            ("guideline", index, key, position),
                            f"'{eservice_id}' finns inte i e-tjänstkatalogen "
                            f"(content/eservices/{eservice_id}.yaml saknas)",
                        ),
                        "guideline.config",
                    )


def clinic_problems(content: Content, slug: str) -> Iterator[Finding]:
    """Every guideline rule the mottagning `slug` breaks, located in its clinic file.

    A missing e-service is reported at `eservices`, where it has to be added; a missing detail at
    its own key (or the top of the file, where it has to be written).
    """
    clinic = content.clinics[slug]
    path = content.clinic_path(slug)
    offered = offered_catalogue_ids(content, clinic)
    for rule in content.site.guideline:
        if not applies(rule, clinic):
            continue
        rule_name = f"guideline.{rule.id}"
        why = _when_text(rule)
        if rule.any_of is not None and not offered.intersection(rule.any_of):
            if len(rule.any_of) == 1:
                fix = f"lägg till raden '- use: {rule.any_of[0]}'"
            else:
                fix = f"lägg till {_names(content, rule.any_of, 'eller')}"
            yield Finding.from_error(content.locate(path, ("eservices",), f"{rule.message}{why}: {fix}"), rule_name)
        if rule.all_of is not None:
            missing = [eservice_id for eservice_id in rule.all_of if eservice_id not in offered]
            if missing:
                yield Finding.from_error(
                    content.locate(
                        path, ("eservices",), f"{rule.message}{why}: {_names(content, missing, 'och')} saknas"
                    ),
                    rule_name,
                )
        for detail in rule.requires or []:
            value = getattr(clinic, detail)
            if value is None or value == [] or (isinstance(value, str) and not value.strip()):
                yield Finding.from_error(
                    content.locate(path, (detail,), f"{rule.message}{why}: {detail} ({_DETAILS[detail]}) saknas"),
                    rule_name,
                )


def guideline_findings(content: Content) -> list[Finding]:
    """The guideline's configuration problems and every rule broken by every mottagning."""
    findings = list(config_problems(content))
    if any(finding.rule == "guideline.config" for finding in findings):
        return findings  # rules that name unknown e-services would give misleading clinic findings
    for slug in content.clinics:
        findings.extend(clinic_problems(content, slug))
    return findings
