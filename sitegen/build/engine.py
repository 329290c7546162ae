"""The build behind build_site: full or incremental, on one core or all, always the same bytes.

A national site is 10,000 contact pages, and an editor who changes one phone number should not
wait for 10,000 pages. So the build remembers (sitegen.build.cache) which content files each page
depends on, and on the next run re-checks and re-renders only the pages whose content files, site
settings or templates changed, and writes only the files whose bytes changed. The first build, or
one after the generator itself changed, renders everything: across all cores, each worker loading,
checking and rendering its share of the mottagningar.

Correctness comes first, in three ways:
- The same functions do the work in every mode: loader.validate_* and references.reference_problems
  check, view.contact_page and render.SiteRenderer render. tests/sitegen/test_incremental.py
  compares incremental builds with full ones byte for byte.
- Any problem found on the fast path sends the build to loader.load_content, the authority on
  errors: its ContentInvalid (every error, by file, line and key) is what the editor sees. Should
  it find nothing wrong, the site is built from its result the plain way.
- Nothing is written before every check has passed. A full build writes a new folder and swaps
  it in; an incremental one replaces changed files one by one, each atomically.

Why a page is re-checked: its own file changed; or a file it depends on changed or disappeared (a
catalogue e-service it uses, a mottagning it borrows from and the catalogue e-service behind the
borrowed one); or site.yaml or its templates changed. A page whose dependencies did not change is
as valid as it was, so checking only the re-checked pages' references is enough.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.build.cache import (
    BuildState,
    InputRecord,
    Offer,
    OutputRecord,
    Summary,
    begin_changes,
    cache_dir,
    content_hash,
    forget_state,
    generator_version,
    load_state,
    save_state,
)
from sitegen.content.loader import Content, load_content, validate_clinic, validate_eservice, validate_site
from sitegen.content.models import (
    SLUG_PATTERN,
    BorrowEntry,
    CatalogueEService,
    Clinic,
    LocalEntry,
    Site,
    UseEntry,
)
from sitegen.build.parallel import Workers, usable_workers
from sitegen.build.publish import new_staging, publish, remove_file, replace_file, swap_in
from sitegen.content.references import reference_problems
from sitegen.site.render import FIXED_PAGES, SiteRenderer, render_site
from sitegen.site.theme import Theme
from sitegen.site.view import contact_page
from sitegen.content.yamlsource import YamlSyntaxError, parse_yaml_bytes

# A file whose modification time is this close to the last build's scan may have changed again
# within the same clock tick without its time changing: its content is hashed, not trusted.
_RACY_NS = 1_000_000_000
# Fewer pages than this per worker are not worth a process.
_PAGES_PER_WORKER = 200

Stat = tuple[int, int, int]  # size, mtime_ns, inode


@dataclass(frozen=True)
class Outcome:
    """What a build did, for the summary line and the benchmark."""

    pages: int
    clinics: int
    written: int
    removed: int
    incremental: bool
    rendered: int  # contact pages rendered (the rest were known to be unchanged)


class _Fallback(Exception):
    """The fast path found a problem: load_content decides, and reports it."""


_SLUG = re.compile(SLUG_PATTERN)


def _scan_folder(folder: Path) -> dict[str, Stat]:
    """`{stem: stat}` of the content files in one folder, as load_content would list them.

    A name load_content would report (`.yml`, a name that is not a slug) or a missing folder sends
    the build to load_content.
    """
    found: dict[str, Stat] = {}
    slug = _SLUG.fullmatch
    try:
        entries = list(os.scandir(folder))
    except OSError:
        raise _Fallback from None
    try:
        for entry in entries:
            name = entry.name
            if name.endswith(".yaml") and not name.startswith(".") and not entry.is_dir():
                stem = name[:-5]
                if not slug(stem):
                    raise _Fallback
                stat = entry.stat()
                found[stem] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            elif name.endswith(".yml") and not name.startswith(".") and not entry.is_dir():
                raise _Fallback
    except OSError:  # a broken link, or removed while listing: load_content reports it
        raise _Fallback from None
    return found


def _summary(slug: str, clinic: Clinic) -> Summary:
    card = clinic.model_dump_json(by_alias=True, exclude={"eservices", "about"})
    uses = " ".join(entry.use for entry in clinic.eservices if isinstance(entry, UseEntry))
    locals_: tuple[Offer, ...] = tuple(
        ("local", entry.local, entry.name, entry.category, entry.villkor)
        for entry in clinic.eservices
        if isinstance(entry, LocalEntry)
    )
    return Summary(f"{slug}.yaml", card, uses, locals_)


def _stub(summary: Summary) -> Clinic:
    """A mottagning known only by its summary: enough to borrow from it and to check the borrow."""
    entries: list[Any] = []
    for kind, eid, name, category, villkor in summary.offers:
        if kind == "use":
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


class _OwnClinics(dict):  # type: ignore[type-arg]
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


class _CardView:
    """A mottagning's card as the index template sees it; a key it does not have is an error.

    The index is rendered from the cached summaries, not from loaded files; a template asking for
    something the summary lacks must fail loudly rather than render an empty value.
    """

    def __init__(self, card: dict[str, Any], seen: set[str] | None = None) -> None:
        self._card = card
        self._seen = seen

    def __getattr__(self, name: str) -> Any:
        if self._seen is not None:
            self._seen.add(name)  # the fields the index shows: a change elsewhere leaves it as it is
        try:
            value = self._card[name]
        except KeyError:
            raise AttributeError(name) from None
        return _CardView(value) if isinstance(value, dict) else value

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class _IndexEntry:
    slug: str
    clinic: Any

    @property
    def path(self) -> str:
        return f"mottagningar/{self.slug}/"


@dataclass
class _LoadReport:
    ok: bool
    summaries: dict[str, Summary] = field(default_factory=dict)
    inputs: dict[str, InputRecord] = field(default_factory=dict)
    origins: set[str] = field(default_factory=set)


@dataclass
class _RenderReport:
    outputs: dict[str, OutputRecord]
    deps: dict[str, str]
    written: int


class _Sink:
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


class _Shard:
    """The mottagningar one process loads, checks and renders, in three steps (see Workers)."""

    def __init__(
        self,
        root: Path,
        site: Site,
        eservices: dict[str, CatalogueEService],
        renderer: SiteRenderer,
        sink: _Sink,
        slugs: list[str],
        stats: Mapping[str, Stat],
    ) -> None:
        self.root = root
        self.site = site
        self.eservices = eservices
        self.renderer = renderer
        self.sink = sink
        self.slugs = slugs
        self.stats = stats
        self.clinics: dict[str, Clinic] = {}
        self.origins: dict[str, Summary] = {}
        self.content: Content | None = None

    def load(self) -> _LoadReport:
        """Parse and validate each file on its own (schema, form rules); stop at the first problem."""
        report = _LoadReport(ok=True)
        for slug in self.slugs:
            path = self.root / "clinics" / f"{slug}.yaml"
            try:
                data = path.read_bytes()
                clinic, errors = validate_clinic(parse_yaml_bytes(path, data))
            except (OSError, YamlSyntaxError):
                clinic, errors = None, [None]
            if clinic is None or errors:
                return _LoadReport(ok=False)
            self.clinics[slug] = clinic
            report.summaries[slug] = _summary(slug, clinic)
            report.inputs[f"clinics/{slug}"] = (*self.stats[slug], content_hash(data))
            report.origins.update(entry.from_ for entry in clinic.eservices if isinstance(entry, BorrowEntry))
        return report

    def check(self, origins: dict[str, Summary]) -> bool:
        """The cross-file rules for this shard's clinics; True when there is nothing to report."""
        self.origins = origins
        stubs = {slug: _stub(summary) for slug, summary in origins.items() if slug not in self.clinics}
        self.content = Content(
            root=self.root, site=self.site, eservices=self.eservices, clinics=_OwnClinics(self.clinics, stubs)
        )
        return next(iter(reference_problems(self.content, set(), set())), None) is None

    def render(self) -> _RenderReport:
        """Render every page of the shard; write those whose bytes changed."""
        assert self.content is not None
        gc.freeze()  # what is loaded stays; collections need only look at what rendering makes
        gc.enable()
        report = _RenderReport(outputs={}, deps={}, written=0)
        for slug in self.slugs:
            page = contact_page(self.content, slug)
            relative = f"{page.path}index.html"
            record, written = self.sink.put(relative, self.renderer.contact_page(page))
            report.outputs[relative] = record
            report.written += written
            report.deps[slug] = " ".join(self._deps(slug))
        return report

    def _deps(self, slug: str) -> list[str]:
        """The content files (besides site.yaml) this page's bytes depend on."""
        deps = [f"clinics/{slug}"]
        for entry in self.clinics[slug].eservices:
            if isinstance(entry, UseEntry):
                deps.append(f"eservices/{entry.use}")
            elif isinstance(entry, BorrowEntry):
                deps.append(f"clinics/{entry.from_}")
                offers = self.origins[entry.from_].offers
                if any(kind == "use" and eid == entry.borrow for kind, eid, *_ in offers):
                    deps.append(f"eservices/{entry.borrow}")
        return deps


def _shards(slugs: list[str], count: int) -> list[list[str]]:
    """Split into `count` interleaved shards, so no shard gets all the big pages."""
    return [slugs[index::count] for index in range(count)] if slugs else [[]]


# Valid models of site.yaml and catalogue files by path and bytes: validation depends on nothing
# else, and the models are immutable, so a long-running process (the preview server) validates an
# unchanged file once.
_VALIDATED: dict[tuple[Path, bytes], Any] = {}


def _valid(path: Path, data: bytes, validate: Any) -> Any:
    """The model for a file that must be valid; _Fallback (load_content reports) when it is not."""
    key = (path, data)
    model = _VALIDATED.get(key)
    if model is None:
        model, errors = validate(parse_yaml_bytes(path, data))
        if model is None or errors:
            raise _Fallback
        if len(_VALIDATED) > 1000:
            _VALIDATED.clear()
        _VALIDATED[key] = model
    return model


def _load_fixed(root: Path, inputs: dict[str, InputRecord]) -> tuple[Site, dict[str, CatalogueEService]]:
    """site.yaml and the whole catalogue: few files, needed by every page, always checked."""
    site_path = root / "site.yaml"
    try:
        data = site_path.read_bytes()
        stat = site_path.stat()
        site = _valid(site_path, data, validate_site)
    except (OSError, YamlSyntaxError):
        raise _Fallback from None
    inputs["site"] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, content_hash(data))
    eservices: dict[str, CatalogueEService] = {}
    stats = _scan_folder(root / "eservices")
    for eid in sorted(stats, key=lambda stem: f"{stem}.yaml"):
        path = root / "eservices" / f"{eid}.yaml"
        try:
            data = path.read_bytes()
            eservices[eid] = _valid(path, data, validate_eservice)
        except (OSError, YamlSyntaxError):
            raise _Fallback from None
        inputs[f"eservices/{eid}"] = (*stats[eid], content_hash(data))
    return site, eservices


def _unchanged_clinics(
    root: Path, stats: dict[str, Stat], state: BuildState, inputs: dict[str, InputRecord]
) -> set[str]:
    """The clinic files whose content is as the last build saw it (hashing the ones in doubt)."""
    same: set[str] = set()
    trusted_before = state.scan_time_ns - _RACY_NS
    for slug, stat in stats.items():
        key = f"clinics/{slug}"
        known = state.inputs.get(key)
        if known is None:
            continue
        if known[:3] == stat and known[1] < trusted_before:
            inputs[key] = known
            same.add(slug)
            continue
        try:
            digest = content_hash((root / "clinics" / f"{slug}.yaml").read_bytes())
        except OSError:
            continue
        if digest == known[3]:
            inputs[key] = (*stat, digest)
            same.add(slug)
    return same


def _verified_outputs(out: Path, outputs: dict[str, OutputRecord]) -> tuple[dict[str, OutputRecord], set[str]]:
    """The published files that are still exactly as written; the others' paths."""
    good: dict[str, OutputRecord] = {}
    bad: set[str] = set()
    prefix = f"{out}{os.sep}"
    for relative, record in outputs.items():
        try:
            stat = os.stat(prefix + relative)
        except OSError:
            bad.add(relative)
            continue
        if (stat.st_size, stat.st_mtime_ns) == record[:2]:
            good[relative] = record
        else:
            bad.add(relative)
    return good, bad


def build(content_dir: Path, out: Path, theme: Theme, *, workers: int | None = None, full: bool = False) -> Outcome:
    """Build `content_dir` into `out`; raise ContentInvalid (writing nothing) on bad content."""
    with collector_paused():
        try:
            return _build(Path(content_dir), Path(out).resolve(), theme, workers, full)
        except _Fallback:
            return _plain_build(Path(content_dir), Path(out).resolve(), theme)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector off the objects a build loads.

    Loading 10,000 files creates millions of long-lived objects (nodes, models), and every full
    collection walks all of them again: with the collector on, parsing 10,000 files took ten times
    longer. Loading runs with the collector off; rendering, which makes short-lived objects, runs
    with it on but with everything loaded frozen out of its way (see _Shard.render).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _plain_build(root: Path, out: Path, theme: Theme) -> Outcome:
    """load_content, render_site and publish: the reference build, used when the fast path balks."""
    content = load_content(root)  # raises ContentInvalid with every error, located
    files = render_site(content, theme)
    forget_state(out)
    publish(files, out)
    return Outcome(
        pages=sum(1 for name in files if name.endswith(".html")),
        clinics=len(content.clinics),
        written=len(files),
        removed=0,
        incremental=False,
        rendered=len(content.clinics),
    )


def _build(root: Path, out: Path, theme: Theme, requested_workers: int | None, full: bool) -> Outcome:
    scan_time = time.time_ns()
    if not (root / "site.yaml").is_file():
        raise _Fallback
    clinic_stats = _scan_folder(root / "clinics")
    inputs: dict[str, InputRecord] = {}
    site, eservices = _load_fixed(root, inputs)
    renderer = SiteRenderer(site, theme, cache_dir(out) / "templates")
    fingerprints = renderer.fingerprints()

    state = None if full or not out.is_dir() else load_state(out)
    incremental = state is not None
    previous_outputs: dict[str, OutputRecord] = {}
    removed: set[str] = set()
    all_slugs = sorted(clinic_stats, key=lambda slug: f"{slug}.yaml")
    if state is not None:
        previous_outputs, damaged = _verified_outputs(out, state.outputs)
        same = _unchanged_clinics(root, clinic_stats, state, inputs)
        removed = set(state.summaries) - set(clinic_stats)
        changed = {key for key, record in inputs.items() if state.inputs.get(key, (0, 0, 0, ""))[3] != record[3]}
        changed |= {f"eservices/{key.split('/', 1)[1]}" for key in state.inputs if key.startswith("eservices/")} - set(
            inputs
        )
        changed |= {f"clinics/{slug}" for slug in clinic_stats if slug not in same}
        changed |= {f"clinics/{slug}" for slug in removed}
        if "site" in changed or fingerprints["contact"] != state.theme.get("contact"):
            dirty = set(all_slugs)
        else:
            dirty = {slug for slug, deps in state.deps.items() if not changed.isdisjoint(deps.split())}
            dirty |= {slug for slug in clinic_stats if slug not in same}
            dirty |= {path.split("/")[1] for path in damaged if path.startswith("mottagningar/")}
            dirty &= set(clinic_stats)
    else:
        dirty = set(all_slugs)
        damaged = set()
        changed = set()

    dirty_slugs = [slug for slug in all_slugs if slug in dirty]
    count = usable_workers(requested_workers)
    count = max(1, min(count, len(dirty_slugs) // _PAGES_PER_WORKER)) if requested_workers is None else count
    if len(dirty_slugs) >= _PAGES_PER_WORKER:  # before forking; for a few pages the cache fills as it goes
        renderer.prime_markdown(eservice.villkor for eservice in eservices.values())
    staging = None if incremental else new_staging(out)
    sink = _Sink(out if incremental else staging, staging=not incremental, previous=previous_outputs)  # type: ignore[arg-type]
    try:
        shards = [
            _Shard(root, site, eservices, renderer, sink, part, clinic_stats)
            for part in _shards(dirty_slugs, min(count, max(1, len(dirty_slugs))))
        ]
        with Workers(shards) as pool:
            loaded: list[_LoadReport] = pool.call("load", [() for _ in shards])
            if not all(report.ok for report in loaded):
                raise _Fallback
            summaries = {slug: summary for slug, summary in (state.summaries if state else {}).items()}
            for slug in removed:
                summaries.pop(slug, None)
            for report in loaded:
                summaries.update(report.summaries)
                inputs.update(report.inputs)
            origins = []
            for report in loaded:
                if not report.origins <= summaries.keys():
                    raise _Fallback
                origins.append(({slug: summaries[slug] for slug in report.origins},))
            if not all(pool.call("check", origins)):
                raise _Fallback
            needs_index = (
                not incremental
                or bool(dirty or removed or damaged or changed)
                or (state is not None and state.theme != fingerprints)
            )
            touches_site = bool(dirty_slugs) or needs_index
            if incremental and touches_site:
                begin_changes(out)  # from here on the site changes; a crash must not leave a trusted cache
            rendered: list[_RenderReport] = pool.call("render", [() for _ in shards])
        outputs = dict(previous_outputs) if incremental else {}
        deps = dict(state.deps) if state else {}
        written = 0
        for report in rendered:
            outputs.update(report.outputs)
            deps.update(report.deps)
            written += report.written
        for slug in removed:
            deps.pop(slug, None)

        index_fields: set[str] | None = None
        if needs_index:
            if not incremental or _index_stale(state, summaries, dirty_slugs, fingerprints, changed, previous_outputs):  # type: ignore[arg-type]
                index_fields = set()
            slugs_changed = state is None or summaries.keys() != state.summaries.keys()
            written += _write_site_pages(
                renderer, theme, sink, summaries, all_slugs, outputs, index_fields, state, changed, slugs_changed
            )
        css_known = renderer.css_path in previous_outputs and len(previous_outputs) == len(state.outputs)  # type: ignore[union-attr]
        gone = (
            [path for path in list(outputs) if _is_stale(path, removed, renderer.css_path)]
            if not incremental or removed or not css_known
            else []
        )
        for path in gone:
            if incremental:
                remove_file(out, path)
            del outputs[path]
        if staging is not None:
            forget_state(out)  # the cache describes the site being replaced
            swap_in(staging, out)
            staging = None
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise

    if touches_site or gone or inputs != state.inputs:  # type: ignore[union-attr]
        save_state(
            out,
            BuildState(
                version=generator_version(),
                out=str(out),
                scan_time_ns=scan_time,
                inputs=inputs,
                outputs=outputs,
                summaries=summaries,
                deps=deps,
                theme=fingerprints,
                index_fields=sorted(index_fields) if index_fields is not None else state.index_fields,  # type: ignore[union-attr]
            ),
            previous=state,
        )
    return Outcome(
        pages=len(all_slugs) + 1 + len(FIXED_PAGES),
        clinics=len(all_slugs),
        written=written,
        removed=len(gone),
        incremental=incremental,
        rendered=len(dirty_slugs),
    )


def _index_stale(
    state: BuildState,
    summaries: Mapping[str, Summary],
    dirty: Iterable[str],
    fingerprints: Mapping[str, str],
    changed: set[str],
    previous_outputs: Mapping[str, OutputRecord],
) -> bool:
    """Whether the index page must be rendered again: the last build recorded which card fields the
    index template read; a change to any other field (a phone number) cannot change the index."""
    if (
        "site" in changed
        or state.theme.get("index") != fingerprints["index"]
        or "index.html" not in previous_outputs
        or summaries.keys() != state.summaries.keys()
    ):
        return True
    fields = state.index_fields
    for slug in dirty:
        old, new = state.summaries[slug].card, summaries[slug].card
        if any(old.get(field) != new.get(field) for field in fields):
            return True
    return False


def _is_stale(path: str, removed: set[str], css_path: str) -> bool:
    """A published file the new site no longer has: a removed page or an old stylesheet."""
    if path.startswith("mottagningar/"):
        return path.split("/")[1] in removed
    return path.startswith("static/") and path != css_path


def _write_site_pages(
    renderer: SiteRenderer,
    theme: Theme,
    sink: _Sink,
    summaries: Mapping[str, Summary],
    slugs: Iterable[str],
    outputs: dict[str, OutputRecord],
    index_fields: set[str] | None,
    state: BuildState | None,
    changed: set[str],
    slugs_changed: bool,
) -> int:
    """The pages besides the contact pages, those that may have changed; returns how many were written.

    The index when `index_fields` is given (filled with the card fields it reads); the fixed pages
    when site.yaml or their templates changed; sitemap.xml and robots.txt when site.yaml or the
    set of mottagningar changed; the stylesheet when it is new; any of them when it is missing or
    was changed by hand (not in `outputs`).
    """
    site_changed = state is None or "site" in changed

    def stale(path: str, kind: str | None = None) -> bool:
        if state is None or path not in outputs or site_changed:
            return True
        return kind is not None and state.theme.get(kind) != renderer.fingerprints().get(kind)

    files: dict[str, bytes] = {}
    if index_fields is not None:
        entries = [_IndexEntry(slug, _CardView(summaries[slug].card, index_fields)) for slug in slugs]
        files["index.html"] = renderer.index(entries)
    for path, template in FIXED_PAGES.items():
        if stale(path, path):
            files[path] = renderer.fixed_page(template)
    if stale(renderer.css_path):
        files[renderer.css_path] = theme.css_bytes
    if slugs_changed or stale("sitemap.xml"):
        files["sitemap.xml"] = renderer.sitemap([_IndexEntry(slug, None) for slug in slugs])
    if stale("robots.txt"):
        files["robots.txt"] = renderer.robots()
    written = 0
    for relative, data in files.items():
        outputs[relative], changed = sink.put(relative, data)
        written += changed
    return written
