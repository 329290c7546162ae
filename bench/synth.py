"""Synthetic content in the contract's format, for the benchmark.

A national deployment is thousands of mottagningar that mostly list the same central e-services,
so the generated content is shaped like that: the demo's catalogue plus more central e-services,
and per mottagning 10–15 e-services of which most `use` the catalogue, one or two are added by
hand with their own Markdown info text, some are borrowed from another mottagning and a few are
the mottagning's own local form. Everything is drawn from a seeded random generator, so the same
N always gives the same bytes and two runs measure the same work.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEMO_CONTENT = REPO / "content"

# The e-service the villkor-change measurement edits; popular enough to touch many pages, not all.
CHANGED_ESERVICE = "begar-intyg"

_EXTRA_CATALOGUE: list[tuple[str, str, str]] = [
    ("chatta-med-sjukskoterskan", "Chatta med sjuksköterskan", "kontakt"),
    ("kontakta-kurator", "Kontakta kurator", "kontakt"),
    ("kontakta-barnmorskan", "Kontakta barnmorskan", "kontakt"),
    ("boka-vaccination", "Boka vaccination", "boka"),
    ("boka-provtagning", "Boka provtagning", "boka"),
    ("boka-cellprov", "Boka tid för cellprov", "boka"),
    ("boka-halsosamtal", "Boka hälsosamtal", "boka"),
    ("avboka-vaccination", "Avboka vaccination", "avboka"),
    ("omboka-provtagning", "Omboka provtagning", "avboka"),
    ("radgivning-preventivmedel", "Rådgivning om preventivmedel", "radgivning"),
    ("radgivning-diabetes", "Rådgivning om diabetes", "radgivning"),
    ("egenremiss-fysioterapi", "Egenremiss till fysioterapeut", "egenremiss"),
    ("egenremiss-audiologi", "Egenremiss till hörselvården", "egenremiss"),
    ("egenremiss-mammografi", "Egenremiss till mammografi", "egenremiss"),
    ("fornya-preventivmedel", "Förnya preventivmedel", "fornya"),
    ("fornya-diabeteshjalpmedel", "Förnya hjälpmedel vid diabetes", "fornya"),
    ("bestall-rontgenbilder", "Beställ kopia av röntgenbilder", "bestall"),
    ("bestall-hpv-test", "Beställ hemtest för HPV", "bestall"),
    ("stod-somnproblem", "Stöd vid sömnproblem", "stod-och-behandling"),
    ("stod-nedstamdhet", "Stöd vid nedstämdhet", "stod-och-behandling"),
    ("stod-stress", "Internetbehandling vid stress", "stod-och-behandling"),
    ("stod-smarta", "Stöd vid långvarig smärta", "stod-och-behandling"),
    ("lamna-forslag", "Lämna förslag på förbättringar", "synpunkter"),
]

# How often a mottagning `use`s each central e-service, relative to the others.
_POPULAR = {
    "skicka-meddelande": 12,
    "fornya-recept": 10,
    "lamna-synpunkter-och-klagomal": 10,
    "av-eller-omboka-tid": 8,
    "begar-intyg": 6,
    "kontakta-mig": 6,
    "bestall-tid": 6,
    "forlang-sjukskrivning": 5,
    "radgivning": 5,
    "fraga-sjukskoterskan": 5,
    "bestall-journalkopia": 4,
}

_MUNICIPALITY_STEMS = [
    "Stor", "Sjö", "Gran", "Ås", "Björk", "Ek", "Lind", "Älv", "Berg", "Dal", "Ö", "Väst", "Öst",
    "Norr", "Söder", "Hög", "Lång", "Sand", "Mal", "Rönn",
]  # fmt: skip
_MUNICIPALITY_ENDS = ["köping", "sala", "by", "vik", "holm", "torp", "hamn", "ås", "fors", "näs", "lunda", "berga"]
_KINDS = [
    ("vardcentralen", "Vårdcentralen"),
    ("tandvarden", "Folktandvården"),
    ("bvc", "BVC"),
    ("barnmorskemottagningen", "Barnmorskemottagningen"),
    ("ungdomsmottagningen", "Ungdomsmottagningen"),
    ("psykiatrin", "Psykiatriska mottagningen"),
    ("rehab", "Rehabmottagningen"),
    ("hudmottagningen", "Hudmottagningen"),
]
_STREETS = ["Storgatan", "Kyrkvägen", "Skolgatan", "Sjukhusvägen", "Parkvägen", "Torggatan", "Ringvägen", "Åvägen"]
_SENTENCES = [
    "Vi tar emot både barn och vuxna och har läkare, sjuksköterskor och fysioterapeuter på plats.",
    "Hos oss kan du få hjälp med de flesta vanliga sjukdomar och besvär.",
    "Provtagningen har drop in på vardagar mellan klockan åtta och tio.",
    "Vi har tolk på plats om du behöver det, berätta när du bokar din tid.",
    "Mottagningen ligger i markplan och har parkering för rörelsehindrade precis utanför entrén.",
    "Du som är listad hos oss får en fast läkarkontakt om du har en kronisk sjukdom.",
    "Vi arbetar förebyggande med levnadsvanor och erbjuder hälsosamtal.",
    "Under sommaren har vi begränsade öppettider, se till att förnya dina recept i god tid.",
    "Har du frågor om din vård är du välkommen att skicka ett meddelande via 1177.",
    "Vi samarbetar med kommunens hemsjukvård och med sjukhusets specialistmottagningar.",
]
_INFO_TEXTS = [
    "Boka och genomför ett videobesök med en läkare eller sjuksköterska i appen **Min Vård**.\n"
    "Du loggar in med BankID i appen.\n",
    "Boka en tid för provtagning hos laboratoriet. Du behöver en remiss från din läkare.\n\n"
    "- Ta med legitimation.\n- Kom fastande om provet kräver det.\n",
    "Anmäl dig till en gruppträff om levnadsvanor. Träffarna är gratis och leds av en sjuksköterska.\n",
    "Se dina provsvar och din vaccinationsjournal i regionens app. Läs mer på [regionens webbplats]"
    "(https://region.example.se/app).\n",
]


@dataclass
class Synthetic:
    """What was generated, and what the benchmark needs to know about it."""

    root: Path
    clinics: list[str] = field(default_factory=list)
    # Contact pages whose bytes depend on CHANGED_ESERVICE's villkor (use, or borrowed from a use).
    pages_using_changed: set[str] = field(default_factory=set)


def _villkor(rng: random.Random, name: str) -> str:
    points = rng.sample(
        [
            "Du får svar i din inkorg inom en arbetsdag.",
            "Använd inte e-tjänsten om det är bråttom. Ring 112 vid livshotande tillstånd.",
            "Behöver du sjukvårdsrådgivning dygnet runt, ring 1177.",
            "Ärendet läses av en sjuksköterska som bedömer hur vi ska gå vidare.",
            "Vissa intyg och tjänster kostar pengar; du får veta priset innan vi börjar.",
            "Du kan inte skicka bilder i den här e-tjänsten.",
            "Vi sparar ditt ärende i din journal enligt patientdatalagen.",
        ],
        4,
    )
    return f"Här kan du använda e-tjänsten **{name}** hos mottagningen.\n\n" + "".join(f"- {p}\n" for p in points)


def _extra_eservice(rng: random.Random, name: str, category: str) -> dict[str, object]:
    return {
        "name": name,
        "category": category,
        "villkor": _villkor(rng, name),
        "pages": [
            {
                "title": "Ditt ärende",
                "questions": [
                    {"id": "message", "type": "textarea", "label": "Beskriv ditt ärende", "max_length": 2000},
                    {"id": "reachable", "type": "choice", "label": "Hur vill du bli kontaktad?",
                     "options": ["Via inkorgen", "Per telefon"]},
                ],
            }
        ],
    }  # fmt: skip


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes multi-line text as `|` blocks, the way editors write Markdown fields."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _about(rng: random.Random) -> str:
    first = " ".join(rng.sample(_SENTENCES, 3))
    second = " ".join(rng.sample(_SENTENCES, 2))
    bullets = "".join(f"- {s}\n" for s in rng.sample(_SENTENCES, 2))
    return f"{first}\n\n**Bra att veta:** {second}\n\n{bullets}"


def generate(root: Path, count: int, seed: int = 5) -> Synthetic:
    """Write `count` mottagningar plus the catalogue and site.yaml under `root` (replacing it)."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "eservices").mkdir(parents=True)
    (root / "clinics").mkdir()
    shutil.copy(DEMO_CONTENT / "site.yaml", root / "site.yaml")

    catalogue: dict[str, str] = {}  # id → category
    needs_options: dict[str, list[str]] = {}
    for path in sorted((DEMO_CONTENT / "eservices").glob("*.yaml")):
        shutil.copy(path, root / "eservices" / path.name)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        catalogue[path.stem] = data["category"]
        keys = [q["options_from"] for p in data.get("pages", []) for q in p["questions"] if "options_from" in q]
        if keys:
            needs_options[path.stem] = keys
    for eid, name, category in _EXTRA_CATALOGUE:
        (root / "eservices" / f"{eid}.yaml").write_text(_dump(_extra_eservice(rng, name, category)), encoding="utf-8")
        catalogue[eid] = category

    ids = sorted(catalogue)
    weights = [_POPULAR.get(eid, 2) for eid in ids]
    municipalities = [stem + end for stem in _MUNICIPALITY_STEMS for end in _MUNICIPALITY_ENDS]
    rng.shuffle(municipalities)
    municipalities = municipalities[: max(1, min(len(municipalities), count // 35 + 1))]

    synthetic = Synthetic(root=root)
    offered_use: dict[str, list[str]] = {}  # slug → catalogue ids it uses (what others may borrow)
    for number in range(count):
        kind_slug, kind_name = rng.choice(_KINDS)
        town = rng.choice(municipalities)
        slug = f"{kind_slug}-{town.lower().translate(str.maketrans('åäö', 'aao'))}-{number}"
        total = rng.randint(10, 15)
        hand = 1 if rng.random() < 0.7 else 2
        borrow = 1 if (number > 10 and rng.random() < 0.3) else 0
        local = 1 if rng.random() < 0.1 else 0
        uses = _weighted_sample(rng, ids, weights, total - hand - borrow - local)
        entries: list[dict[str, object]] = []
        for eid in uses:
            entry: dict[str, object] = {"use": eid}
            if eid in needs_options:
                choices = ["Körkortsintyg", "Intyg om vapeninnehav", "Friskintyg"]
                entry["options"] = {key: choices for key in needs_options[eid]}
            entries.append(entry)
        for index in range(hand):
            entries.append(
                {
                    "name": f"Videobesök {index + 1} i appen Min Vård" if index else "Videobesök i appen Min Vård",
                    "url": f"https://minvard.example.se/{slug}/{index}",
                    "category": rng.choice(["kontakt", "boka", "stod-och-behandling"]),
                    "info": rng.choice(_INFO_TEXTS),
                }
            )
        borrowed: tuple[str, str] | None = None
        if borrow:
            for _ in range(20):
                origin = synthetic.clinics[rng.randrange(len(synthetic.clinics))]
                choices = [eid for eid in offered_use[origin] if eid not in uses]
                if choices:
                    borrowed = (origin, rng.choice(choices))
                    entries.append({"borrow": borrowed[1], "from": origin})
                    break
        if local:
            entries.append(
                {
                    "local": "fragor-infor-besok",
                    "name": "Frågor inför ditt första besök",
                    "category": "kontakt",
                    "villkor": _villkor(rng, "Frågor inför ditt första besök"),
                    "pages": [
                        {
                            "title": "Din fråga",
                            "questions": [{"id": "question", "type": "textarea", "label": "Din fråga"}],
                        }
                    ],
                }
            )
        rng.shuffle(entries)
        clinic = {
            "name": f"{kind_name} {town} {number}",
            "hsa_id": f"SE2321000{number:06d}-E{number % 997}",
            "municipality": town,
            "address": {"street": f"{rng.choice(_STREETS)} {rng.randint(1, 80)}",
                        "postal_code": f"{rng.randint(100, 999)} {rng.randint(10, 99)}", "city": town},
            "phone": f"010-{rng.randint(100, 899)} {rng.randint(10, 99)} {rng.randint(10, 99)}",  # 010-9… is no number
            "opening_hours": [
                {"days": "Måndag–fredag", "hours": "08.00–17.00"},
                {"days": "Lördag–söndag", "hours": "Stängt"},
            ][: rng.randint(1, 2)],
            "about": _about(rng),
            "offers": {"prescribes_medicines": True, "prescribes_aids": rng.random() < 0.5, "advice": True,
                       "direct_booking": rng.random() < 0.3},
            "eservices": entries,
        }  # fmt: skip
        (root / "clinics" / f"{slug}.yaml").write_text(_dump(clinic), encoding="utf-8")
        synthetic.clinics.append(slug)
        offered_use[slug] = uses
        if CHANGED_ESERVICE in uses or (borrowed is not None and borrowed[1] == CHANGED_ESERVICE):
            synthetic.pages_using_changed.add(slug)
    return synthetic


def _weighted_sample(rng: random.Random, population: list[str], weights: list[int], k: int) -> list[str]:
    """`k` distinct items, popular ones more often (random.sample has no weights)."""
    keyed = sorted(population, key=lambda item: rng.random() ** (1 / weights[population.index(item)]), reverse=True)
    return keyed[:k]


def change_villkor(root: Path, marker: str) -> None:
    """Append a sentence to CHANGED_ESERVICE's villkor: every page that shows it must change."""
    path = root / "eservices" / f"{CHANGED_ESERVICE}.yaml"
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("villkor: |\n")
    path.write_text(f"{head}{sep}  Uppdaterad {marker}.\n\n{rest}", encoding="utf-8")


def change_clinic(root: Path, slug: str, marker: str) -> None:
    """Change one mottagning's phone number, as a local administrator would."""
    path = root / "clinics" / f"{slug}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = (f"phone: 010-{marker}\n" if line.startswith("phone:") else line for line in lines)
    path.write_text("".join(changed), encoding="utf-8")


def iter_clinic_files(root: Path) -> Iterator[Path]:
    yield from sorted((root / "clinics").glob("*.yaml"))
