"""Stages 2 and 3 of a build: the shards of mottagningar that each worker process loads,
checks and renders, and the sink their files go to.

Each shard validates its own clinic files (schema, form rules), checks their references against
the summaries of the mottagningar they borrow from, and renders their contact pages; see Workers
(sitegen.build.parallel) for how the three steps run across processes.
"""

from __future__ import annotations

import datetime
import gc
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.build.cache import InputRecord, Offer, OutputRecord, Summary, content_hash
from sitegen.build.publish import remove_file, replace_file
from sitegen.build.scan import Stat, date_token
from sitegen.content.dated import valid_days
from sitegen.content.loader import Content, validate_clinic
from sitegen.content.models import BookingEntry, BorrowEntry, CatalogueEService, Clinic, LocalEntry, Site, UseEntry
from sitegen.content.references import reference_problems
from sitegen.content.snapshot import clinic_bytes, clinic_path
from sitegen.content.yamlsource import YamlSyntaxError, parse_yaml_bytes
from sitegen.search.documents import SearchDocument, document_of
from sitegen.site.render import SiteRenderer
from sitegen.site.view import contact_page


# In a summary's `uses`, the mark of a mottagning with a `booking: boka` entry (never a slug), so
# another shard's `clinics:` list naming it can be checked without its file.
BOKA_MARK = "@boka"


def summary_of(slug: str, clinic: Clinic) -> Summary:
    card = clinic.model_dump_json(by_alias=True, exclude={"eservices", "about"})
    uses = " ".join(entry.use for entry in clinic.eservices if isinstance(entry, UseEntry))
    if any(isinstance(entry, BookingEntry) and entry.booking == "boka" for entry in clinic.eservices):
        uses = f"{uses} {BOKA_MARK}".strip()
    locals_: tuple[Offer, ...] = tuple(
        ("local", entry.local, entry.name, entry.category, entry.villkor)
        for entry in clinic.eservices
        if isinstance(entry, LocalEntry)
    )
    return Summary(f"{slug}.yaml", card, uses, locals_)


def stub(summary: Summary) -> Clinic:
    """A mottagning known only by its summary: enough to borrow from it and to check the borrow."""
    entries: list[Any] = []
    for kind, eid, name, category, villkor in summary.offers:
        if kind == "use" and eid == BOKA_MARK:
            entries.append(BookingEntry.model_construct(booking="boka", villkor=".", name=None, clinics=[]))
        elif kind == "use":
            entries.append(UseEntry.model_construct(use=eid, options={}))
        else:
            entries.append(
                LocalEntry.model_construct(
                    local=eid, name=name, category=category, villkor=villkor, options={}, pages=[]
                )
            )
    return Clinic.model_construct(
        name=summary.card["name"], municipality=summary.card["municipality"], eservices=entries
    )


class OwnClinics(dict):  # type: ignore[type-arg]
    """The clinics of one shard plus stubs of the mottagningar they borrow from.

    Lookups (`get`, `[]`) see both; iterating `items()` (what reference_problems checks) sees only
    the shard's own clinics, whose references are the ones to check. Should reference_problems ever
    iterate differently, stubs would only produce findings, which send the build to load_content:
    slower, never wrong.
    """

    def __init__(self, own: Mapping[str, Clinic], stubs: Mapping[str, Clinic]) -> None:
        super().__init__(stubs)
        self.update(own)
        self.own = own

    def items(self) -> Any:
        return self.own.items()


@dataclass
class LoadReport:
    ok: bool
    summaries: dict[str, Summary] = field(default_factory=dict)
    inputs: dict[str, InputRecord] = field(default_factory=dict)
    origins: set[str] = field(default_factory=set)


@dataclass
class RenderReport:
    outputs: dict[str, OutputRecord]
    deps: dict[str, str]
    written: int
    documents: list[SearchDocument] = field(default_factory=list)  # for the search index


class Sink:
    """Where rendered files go: a staging folder (full build) or the live site (incremental)."""

    def __init__(self, root: Path, staging: bool, previous: Mapping[str, OutputRecord]) -> None:
        self.root = root
        self.staging = staging
        self.previous = previous

    def put(self, relative: str, data: bytes) -> tuple[OutputRecord, bool]:
        """Write `data` unless the published file already has exactly these bytes."""
        digest = content_hash(data)
        known = self.previous.get(relative)
        if known is not None and known[2] == digest:
            return known, False
        if self.staging:  # nobody reads the staging folder: write in place, with plain os calls
            target = f"{self.root}{os.sep}{relative}"
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
            try:
                handle = os.open(target, flags, 0o666)
            except FileNotFoundError:
                os.makedirs(target.rpartition(os.sep)[0], exist_ok=True)
                handle = os.open(target, flags, 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view) :]
                stat = os.fstat(handle)
            finally:
                os.close(handle)
        else:
            stat = replace_file(self.root, relative, data)
        return (stat.st_size, stat.st_mtime_ns, digest), True

    def remove(self, relative: str) -> None:
        """Remove a published file (a staging folder has nothing to remove)."""
        if not self.staging:
            remove_file(self.root, relative)


class Shard:
    """The mottagningar one process loads, checks and renders, in three steps (see Workers)."""

    def __init__(
        self,
        root: Path,
        site: Site,
        eservices: dict[str, CatalogueEService],
        renderer: SiteRenderer,
        sink: Sink,
        slugs: list[str],
        stats: Mapping[str, Stat],
        today: datetime.date,
    ) -> None:
        self.root = root
        self.site = site
        self.eservices = eservices
        self.renderer = renderer
        self.sink = sink
        self.slugs = slugs
        self.stats = stats
        self.today = today
        self.clinics: dict[str, Clinic] = {}
        self.origins: dict[str, Summary] = {}
        self.hashes: dict[str, str] = {}  # slug → hash of its file, for the app's content snapshot
        self.content: Content | None = None

    def load(self) -> LoadReport:
        """Parse and validate each file on its own (schema, form rules); stop at the first problem."""
        report = LoadReport(ok=True)
        for slug in self.slugs:
            path = self.root / "clinics" / f"{slug}.yaml"
            try:
                data = path.read_bytes()
                clinic, errors = validate_clinic(parse_yaml_bytes(path, data))
            except (OSError, YamlSyntaxError):
                clinic, errors = None, [None]
            if clinic is None or errors:
                return LoadReport(ok=False)
            self.clinics[slug] = clinic
            report.summaries[slug] = summary_of(slug, clinic)
            self.hashes[slug] = content_hash(data)
            report.inputs[f"clinics/{slug}"] = (*self.stats[slug], self.hashes[slug])
            report.origins.update(entry.from_ for entry in clinic.eservices if isinstance(entry, BorrowEntry))
            report.origins.update(_booking_clinics(clinic))
        return report

    def check(self, origins: dict[str, Summary]) -> bool:
        """The cross-file rules for this shard's clinics; True when there is nothing to report."""
        self.origins = origins
        stubs = {slug: stub(summary) for slug, summary in origins.items() if slug not in self.clinics}
        self.content = Content(
            root=self.root, site=self.site, eservices=self.eservices, clinics=OwnClinics(self.clinics, stubs)
        )
        return next(iter(reference_problems(self.content, set(), set())), None) is None

    def render(self) -> RenderReport:
        """Render every page of the shard; write those whose bytes changed."""
        assert self.content is not None
        gc.freeze()  # what is loaded stays; collections need only look at what rendering makes
        gc.enable()
        report = RenderReport(outputs={}, deps={}, written=0)
        for slug in self.slugs:
            page = contact_page(self.content, slug, self.today)
            relative = f"{page.path}index.html"
            record, written = self.sink.put(relative, self.renderer.contact_page(page))
            report.outputs[relative] = record
            report.written += written
            # What the forms app reads instead of validating the YAML again (sitegen.content.snapshot).
            snapshot = clinic_path(slug)
            report.outputs[snapshot] = self.sink.put(snapshot, clinic_bytes(self.clinics[slug], self.hashes[slug]))[0]
            report.documents.append(document_of(page))
            report.deps[slug] = " ".join(self._deps(slug))
        return report

    def _deps(self, slug: str) -> list[str]:
        """The content files (besides site.yaml) this page's bytes depend on, and the days for which
        they stay the same when it shows dated notices or exceptions (`date_token`)."""
        deps = [f"clinics/{slug}"]
        span = valid_days(self.clinics[slug], self.today)
        if span is not None:
            deps.append(date_token(span))
        for entry in self.clinics[slug].eservices:
            if isinstance(entry, UseEntry):
                deps.append(f"eservices/{entry.use}")
            elif isinstance(entry, BorrowEntry):
                deps.append(f"clinics/{entry.from_}")
                offers = self.origins[entry.from_].offers
                if any(kind == "use" and eid == entry.borrow for kind, eid, *_ in offers):
                    deps.append(f"eservices/{entry.borrow}")
        # A mottagning named under `clinics:` that drops its boka entry makes this file wrong.
        deps.extend(f"clinics/{other}" for other in _booking_clinics(self.clinics[slug]))
        return deps


def _booking_clinics(clinic: Clinic) -> list[str]:
    return [other for entry in clinic.eservices if isinstance(entry, BookingEntry) for other in entry.clinics]


def split_shards(slugs: list[str], count: int) -> list[list[str]]:
    """Split into `count` interleaved shards, so no shard gets all the big pages."""
    return [slugs[index::count] for index in range(count)] if slugs else [[]]


