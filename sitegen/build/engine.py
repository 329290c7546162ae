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
borrowed one); or site.yaml or its templates changed; or the date has moved out of the span of days
for which its notices and avvikande öppettider stay as rendered (sitegen.content.dated.valid_days).
A page whose dependencies did not change is as valid as it was, so checking only the re-checked
pages' references is enough.
"""

from __future__ import annotations

import datetime
import gc
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sitegen.build.cache import (
    BuildState,
    InputRecord,
    begin_changes,
    cache_dir,
    forget_state,
    generator_version,
    load_state,
    save_state,
)
from sitegen.build.pages import index_stale, is_stale, write_site_pages
from sitegen.build.parallel import Workers, usable_workers
from sitegen.build.publish import new_staging, publish, remove_file, replace_file, swap_in, write_new
from sitegen.build.scan import Fallback, detect_changes, load_fixed, scan_folder
from sitegen.build.shards import LoadReport, RenderReport, Shard, Sink, split_shards
from sitegen.content.loader import load_content
from sitegen.content.models import CatalogueEService, Site
from sitegen.content.snapshot import MANIFEST, content_hashes, manifest_bytes, snapshot_files
from sitegen.search.documents import SearchDocument, document_of
from sitegen.search.writer import SqliteIndexWriter
from sitegen.site.render import SiteRenderer, render_site
from sitegen.site.theme import Theme
from sitegen.site.view import contact_page

# Fewer pages than this per worker are not worth a process.
PAGES_PER_WORKER = 200


@dataclass(frozen=True)
class Outcome:
    """What a build did, for the summary line and the benchmark."""

    pages: int
    clinics: int
    written: int
    removed: int
    incremental: bool
    rendered: int  # contact pages rendered (the rest were known to be unchanged)


def build(
    content_dir: Path,
    out: Path,
    theme: Theme,
    *,
    today: datetime.date,
    workers: int | None = None,
    full: bool = False,
) -> Outcome:
    """Build `content_dir` into `out` as the site is on `today`; raise ContentInvalid (writing
    nothing) on bad content."""
    with collector_paused():
        try:
            return _build(Path(content_dir), Path(out).resolve(), theme, workers, full, today)
        except Fallback:
            return _plain_build(Path(content_dir), Path(out).resolve(), theme, today)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector off the objects a build loads.

    Loading 10,000 files creates millions of long-lived objects (nodes, models), and every full
    collection walks all of them again: with the collector on, parsing 10,000 files took ten times
    longer. Loading runs with the collector off; rendering, which makes short-lived objects, runs
    with it on but with everything loaded frozen out of its way (see Shard.render).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _plain_build(root: Path, out: Path, theme: Theme, today: datetime.date) -> Outcome:
    """load_content, render_site and publish: the reference build, used when the fast path balks."""
    content = load_content(root)  # raises ContentInvalid with every error, located
    files = render_site(content, theme, today)
    files.update(snapshot_files(content, content_hashes(root)))  # what the forms app reads at start
    documents = [document_of(contact_page(content, slug, today)) for slug in content.clinics]
    forget_state(out)
    publish(files, out, also=lambda staging: SqliteIndexWriter(staging).replace_all(documents))
    return Outcome(
        pages=sum(1 for name in files if name.endswith(".html")),
        clinics=len(content.clinics),
        written=len(files),
        removed=0,
        incremental=False,
        rendered=len(content.clinics),
    )


def write_manifest(
    folder: Path, site: Site, eservices: dict[str, CatalogueEService], inputs: dict[str, InputRecord], incremental: bool
) -> int:
    """The content snapshot's manifest (sitegen.content.snapshot), rewritten only when it changed."""
    data = manifest_bytes(site, eservices, {key: record[3] for key, record in inputs.items()})
    if not incremental:
        write_new(folder, MANIFEST, data)
        return 1
    try:
        if (folder / MANIFEST).read_bytes() == data:
            return 0
    except OSError:
        pass
    replace_file(folder, MANIFEST, data)
    return 1


def _build(
    root: Path, out: Path, theme: Theme, requested_workers: int | None, full: bool, today: datetime.date
) -> Outcome:
    scan_time = time.time_ns()
    if not (root / "site.yaml").is_file():
        raise Fallback
    clinic_stats = scan_folder(root / "clinics")
    inputs: dict[str, InputRecord] = {}
    site, eservices = load_fixed(root, inputs)
    if site.patientnamnden is not None and site.patientnamnden in clinic_stats:
        raise Fallback  # site.yaml against every clinic file: load_content reports it (site_problems)
    renderer = SiteRenderer(site, theme, cache_dir(out) / "templates")
    fingerprints = renderer.fingerprints()

    state = None if full or not out.is_dir() else load_state(out)
    if state is not None and not SqliteIndexWriter(out).usable():
        state = None  # the search index is missing or of an older schema: write everything
    incremental = state is not None
    all_slugs = sorted(clinic_stats, key=lambda slug: f"{slug}.yaml")
    found = detect_changes(root, out, clinic_stats, inputs, state, fingerprints["contact"], today)
    previous_outputs, damaged, removed = found.previous_outputs, found.damaged, found.removed
    changed, dirty = found.changed, found.dirty

    dirty_slugs = [slug for slug in all_slugs if slug in dirty]
    count = usable_workers(requested_workers)
    count = max(1, min(count, len(dirty_slugs) // PAGES_PER_WORKER)) if requested_workers is None else count
    if len(dirty_slugs) >= PAGES_PER_WORKER:  # before forking; for a few pages the cache fills as it goes
        renderer.prime_markdown(eservice.villkor for eservice in eservices.values())
    staging = None if incremental else new_staging(out)
    sink = Sink(out if incremental else staging, staging=not incremental, previous=previous_outputs)  # type: ignore[arg-type]
    try:
        shards = [
            Shard(root, site, eservices, renderer, sink, part, clinic_stats, today)
            for part in split_shards(dirty_slugs, min(count, max(1, len(dirty_slugs))))
        ]
        with Workers(shards) as pool:
            loaded: list[LoadReport] = pool.call("load", [() for _ in shards])
            if not all(report.ok for report in loaded):
                raise Fallback
            summaries = {slug: summary for slug, summary in (state.summaries if state else {}).items()}
            for slug in removed:
                summaries.pop(slug, None)
            for report in loaded:
                summaries.update(report.summaries)
                inputs.update(report.inputs)
            origins = []
            for report in loaded:
                if not report.origins <= summaries.keys():
                    raise Fallback
                origins.append(({slug: summaries[slug] for slug in report.origins},))
            if not all(pool.call("check", origins)):
                raise Fallback
            needs_index = (
                not incremental
                or bool(dirty or removed or damaged or changed)
                or (state is not None and state.theme != fingerprints)
            )
            touches_site = bool(dirty_slugs) or needs_index
            if incremental and touches_site:
                begin_changes(out)  # from here on the site changes; a crash must not leave a trusted cache
            rendered: list[RenderReport] = pool.call("render", [() for _ in shards])
        outputs = dict(previous_outputs) if incremental else {}
        deps = dict(state.deps) if state else {}
        written = 0
        documents: list[SearchDocument] = []
        for report in rendered:
            outputs.update(report.outputs)
            deps.update(report.deps)
            written += report.written
            documents.extend(report.documents)
        if staging is not None:
            SqliteIndexWriter(staging).replace_all(documents)
        elif documents or removed:
            SqliteIndexWriter(out).update(documents, removed)
        for slug in removed:
            deps.pop(slug, None)

        index_fields: set[str] | None = None
        dropped = 0
        if needs_index:
            if not incremental or index_stale(state, summaries, dirty_slugs, fingerprints, changed, previous_outputs):  # type: ignore[arg-type]
                index_fields = set()
            slugs_changed = state is None or summaries.keys() != state.summaries.keys()
            touched = {*dirty_slugs, *removed}
            page_counts = write_site_pages(
                renderer, theme, sink, summaries, all_slugs, outputs, index_fields, state, changed, slugs_changed,
                touched,
            )
            written += page_counts[0]
            dropped += page_counts[1]
        css_known = all(path in previous_outputs for path in theme.site_files) and len(previous_outputs) == len(
            state.outputs  # type: ignore[union-attr]
        )
        gone = (
            [path for path in list(outputs) if is_stale(path, removed, theme.site_files)]
            if not incremental or removed or not css_known
            else []
        )
        for path in gone:
            if incremental:
                remove_file(out, path)
            del outputs[path]
        # Last, after every clinic's snapshot file: an app that finds the manifest finds them all.
        write_manifest(staging or out, site, eservices, inputs, incremental=staging is None)
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
        pages=sum(1 for path in outputs if path.endswith(".html")),
        clinics=len(all_slugs),
        written=written,
        removed=sum(1 for path in gone if not path.startswith(".")) + dropped,  # public files, as `written`
        incremental=incremental,
        rendered=len(dirty_slugs),
    )

