"""`sitegen new clinic <slug>` and `sitegen new eservice <id>`: a commented file to start from.

An empty editor window is where YAML mistakes are born. A starting file in the right shape lets
the editor change one value at a time and check as they go. The facts only the mottagning knows
(phone number, address, kommun) are placeholders starting with "Ange", which `sitegen check` refuses
with and without --strict: a card cannot be published with "Ange telefonnummer" as its number.
Everything else passes as written. The clinic file is written to meet the region's guideline as
configured in site.yaml (for a mottagning whose `offers` are all false), so a new card does not
start life with guideline errors, and its comments say what each `offers` flag will then require.
Existing files are never overwritten.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import load_content
from sitegen.content.models import CATEGORIES, SLUG_PATTERN, Clinic, Offers, Site, UseEntry
from sitegen.content.yamlsource import YamlSyntaxError, read_yaml
from sitegen.editor.guideline import applies

Kind = Literal["clinic", "eservice"]


class ScaffoldError(Exception):
    """Why no file was written, in Swedish for the editor."""


@dataclass(frozen=True)
class Region:
    """What the templates need to know about the site: its guideline and its catalogue's names."""

    site: Site | None
    names: dict[str, str]
    offered: dict[str, list[str]]  # mottagning → the catalogue e-services it offers by `use`
    plain: list[str]  # catalogue e-services a clinic can `use` without giving `options`


def _region(content_dir: Path) -> Region:
    """The site and catalogue as far as they can be read; a broken content tree still gets a file."""
    try:
        content = load_content(content_dir)
        offered = {
            slug: [entry.use for entry in clinic.eservices if isinstance(entry, UseEntry)]
            for slug, clinic in content.clinics.items()
        }
        names = {key: value.name for key, value in content.eservices.items()}
        plain = [key for key, value in content.eservices.items() if not value.options_from_keys()]
        return Region(content.site, names, offered, plain)
    except ContentInvalid:
        pass
    try:
        site = Site.model_validate(read_yaml(content_dir / "site.yaml").data)
    except (OSError, YamlSyntaxError, ValueError):
        site = None
    return Region(site, {}, {}, [])


def _title(slug: str) -> str:
    words = slug.replace("-", " ")
    return words[:1].upper() + words[1:]


def _label(region: Region, eservice_id: str) -> str:
    name = region.names.get(eservice_id)
    return f"{name} ({eservice_id})" if name else eservice_id


def _required_entries(region: Region) -> list[tuple[str, str]]:
    """(catalogue id, why) for what the guideline asks of a mottagning with every `offers` false."""
    entries: dict[str, str] = {}
    if region.site is None:
        return []
    blank = Clinic(name="x", municipality="x", offers=Offers())
    for rule in region.site.guideline:
        if not applies(rule, blank):
            continue
        ids = rule.all_of or (rule.any_of[:1] if rule.any_of else [])
        for eservice_id in ids:
            if not region.names or eservice_id in region.names:
                entries.setdefault(eservice_id, rule.message)
    return list(entries.items())


def _offers_comment(region: Region, flag: str) -> str:
    """What setting an offers flag to true will require, from the configured guideline."""
    if region.site is None:
        return ""
    needs: list[str] = []
    for rule in region.site.guideline:
        if rule.when == flag and (rule.any_of or rule.all_of):
            ids = rule.any_of or rule.all_of or []
            joined = (" eller " if rule.any_of else " och ").join(_label(region, i) for i in ids)
            needs.append(joined)
    return f"  # true: lägg till {'; '.join(needs)}" if needs else ""


def clinic_text(slug: str, region: Region, today: datetime.date) -> str:
    """The starting clinic file."""
    required_details = {
        detail for rule in (region.site.guideline if region.site else []) for detail in (rule.requires or [])
    }
    entries = _required_entries(region)
    # The examples' dates lie ahead, so uncommented they show on the page rather than as passed.
    christmas = datetime.date(today.year if today <= datetime.date(today.year, 12, 24) else today.year + 1, 12, 24)
    lines = [
        f"# Kontaktkortet för mottagningen {slug}. Skapad med `sitegen new clinic {slug}`.",
        "# Byt ut allt som börjar med 'Ange', spara och kör `sitegen check`.",
        "# Kortet går inte igenom kontrollen och kan inte publiceras förrän du har gjort det.",
        "# Formatet: docs/content.md. Vanliga uppgifter steg för steg: docs/editors.md.",
        f"name: {_title(slug)}  # mottagningens namn som det ska stå på sidan, med å, ä och ö",
        "# hsa_id: SE0000000000-0000  # HSA-id, om mottagningen har ett"
        if "hsa_id" not in required_details
        else "hsa_id: SE0000000000-0000  # Ange HSA-id",
        "municipality: Ange kommun  # startsidan grupperar mottagningarna efter kommun",
        '# Postnumret inom citattecken, "553 20" (eller "55320").',
        'address: {street: Ange gatuadress, postal_code: "Ange postnummer", city: Ange ort}',
        '# Ett svenskt telefonnummer med riktnummer, inom citattecken, till exempel "010-242 10 00".',
        '# Sidan visar det med vanlig gruppering, och det går att ringa med ett klick.',
        'phone: "Ange telefonnummer"',
        "# days: veckodagar, som Måndag–fredag, Tisdag och torsdag, Vardagar, Helger eller Lördag–söndag.",
        '# hours: tider, som "08.00–17.00" eller "08.00–12.00, 13.00–16.30", eller Stängt.',
        "opening_hours:",
        '  - {days: Måndag–fredag, hours: "08.00–17.00"}',
        "  - {days: Lördag–söndag, hours: Stängt}",
        "# Avvikande öppettider: dagar då tiderna ovan inte gäller. Sidan visar varje sådan dag under",
        "# de sex veckorna före den; när dagen har passerat visas den inte längre.",
        "# opening_exceptions:",
        f"#   - {{date: {christmas.isoformat()}, hours: Stängt, note: Julafton}}",
        f'#   - {{date: {christmas.year}-12-30, hours: "08.00–12.00"}}',
        "# Meddelanden överst på sidan, från och med from till och med until.",
        "# notices:",
        "#   - title: Vi har flyttat",
        "#     text: |",
        "#       Från den 1 februari finns vi på Storgatan 5.",
        f"#     from: {christmas.year + 1}-01-15",
        f"#     until: {christmas.year + 1}-02-28",
    ]
    if "about" in required_details:
        lines += ["about: |", "  Ange några meningar om mottagningen."]
    else:
        lines += ["# about: |  # Markdown om mottagningen, om du vill", "#   Vi är en vårdcentral för alla åldrar."]
    lines += [
        "# Fakta som regionens riktlinje för e-tjänster beror på (site.yaml, guideline:).",
        "offers:",
        f"  prescribes_medicines: false{_offers_comment(region, 'prescribes_medicines')}",
        f"  prescribes_aids: false{_offers_comment(region, 'prescribes_aids')}",
        f"  advice: false{_offers_comment(region, 'advice')}",
        "  direct_booking: false  # true om mottagningen har direkttidbokning (webbtidbok)",
        f"reviewed: {today.isoformat()}  # när kortet senast granskades; ändra när du har kontrollerat det",
        "# E-tjänsterna i valfri ordning: sidan sorterar dem efter kategori.",
        "eservices:",
    ]
    if entries:
        for eservice_id, why in entries:
            lines.append(f"  - use: {eservice_id}  # {why}")
    else:
        lines.append("  - use: lamna-synpunkter-och-klagomal  # en e-tjänst ur katalogen (content/eservices/)")
    # Examples that are valid here when uncommented: an e-service not listed yet, a real borrow.
    taken = {eservice_id for eservice_id, _ in entries}
    use_example = next((i for i in region.plain if i not in taken), "skicka-meddelande")
    borrow_example = next(
        ((slug, i) for slug, ids in region.offered.items() for i in ids if i not in taken | {use_example}),
        ("psykiatriska-mottagningen", "stod-och-behandling-angest"),
    )
    lines += [
        "  # En e-tjänst ur katalogen (content/eservices/):",
        f"  # - use: {use_example}",
        "  # En e-tjänst som en annan mottagning erbjuder (visas med den mottagningens namn):",
        f"  # - borrow: {borrow_example[1]}",
        f"  #   from: {borrow_example[0]}",
        "  # En e-tjänst utan koppling till 1177, tillagd för hand:",
        "  # - name: Videobesök i appen Min Vård",
        "  #   url: https://minvard.example.se/video",
        "  #   category: kontakt",
        "  #   info: |",
        "  #     Boka och genomför ett videobesök med en läkare eller sjuksköterska i appen Min Vård.",
        "  #     Du loggar in med BankID i appen.",
    ]
    return "\n".join(lines) + "\n"


def eservice_text(eservice_id: str) -> str:
    """The starting catalogue e-service: a villkor in the region's style and a one-page form."""
    categories = ", ".join(CATEGORIES)
    return f"""\
# En e-tjänst (ärendetyp) i katalogen. Skapad med `sitegen new eservice {eservice_id}`.
# Mottagningar erbjuder den med `- use: {eservice_id}` i sin fil. Kör `sitegen check` när du har ändrat.
# Formatet: docs/content.md (formulären: avsnittet Formulär).
name: {_title(eservice_id)}  # namnet som det ska stå på kontaktsidorna, med å, ä och ö
# Kategorin styr ordningen på sidan: {categories}
category: kontakt
# Villkoren visas före formuläret och bakom (i) på kontaktsidan. Skriv kort vad e-tjänsten
# är till för, vad som händer sedan och när, och att den inte är till för brådskande ärenden.
villkor: |
  Här kan du skicka ett ärende till mottagningen.

  - Du får svar i din inkorg inom en arbetsdag.
  - Använd inte e-tjänsten om det är bråttom. Ring 112 vid livshotande tillstånd. Behöver du
    sjukvårdsrådgivning dygnet runt, ring 1177.
pages:
  - title: Ditt ärende
    questions:
      - id: message
        type: textarea
        label: Beskriv ditt ärende
        hint: Skriv bara om en sak.
        max_length: 2000
"""


def create(kind: Kind, name: str, content_dir: Path, today: datetime.date | None = None) -> Path:
    """Write the starting file for a new clinic or e-service and return its path.

    Raises ScaffoldError, writing nothing, for an invalid id, a missing content folder or a file
    that already exists.
    """
    if not re.fullmatch(SLUG_PATTERN, name):
        raise ScaffoldError(f"'{name}' är inget giltigt id: använd små bokstäver a–z, siffror och bindestreck")
    content_dir = Path(content_dir)
    if not (content_dir / "site.yaml").is_file():
        raise ScaffoldError(f"{content_dir} är ingen innehållsmapp (site.yaml saknas); ange den med --content")
    folder = content_dir / ("clinics" if kind == "clinic" else "eservices")
    path = folder / f"{name}.yaml"
    for existing in (path, path.with_suffix(".yml")):
        if existing.exists():
            raise ScaffoldError(f"{existing} finns redan; välj ett annat id eller ändra i den befintliga filen")
    if kind == "clinic":
        text = clinic_text(name, _region(content_dir), today or datetime.date.today())
    else:
        text = eservice_text(name)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:  # "x": never overwrite, even in a race
            file.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} finns redan; välj ett annat id eller ändra i den befintliga filen") from None
    return path
