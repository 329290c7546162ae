"""Stage 1 of a build: what is on disk, and what changed since the last build.

Lists the content folders as load_content would, loads the few files every page needs (site.yaml
and the catalogue), and tells which clinic files and published files are still as the last build
recorded them. Anything it cannot vouch for raises Fallback, which sends the build to
load_content, the authority on errors.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.build.cache import BuildState, InputRecord, OutputRecord, content_hash
from sitegen.content.loader import validate_eservice, validate_site
from sitegen.content.models import SLUG_PATTERN, CatalogueEService, Site
from sitegen.content.yamlsource import YamlSyntaxError, parse_yaml_bytes

# A file whose modification time is this close to the last build's scan may have changed again
# within the same clock tick without its time changing: its content is hashed, not trusted.
_RACY_NS = 1_000_000_000
Stat = tuple[int, int, int]  # size, mtime_ns, inode


class Fallback(Exception):
    """The fast path found a problem: load_content decides, and reports it."""


_SLUG = re.compile(SLUG_PATTERN)


def scan_folder(folder: Path) -> dict[str, Stat]:
    """`{stem: stat}` of the content files in one folder, as load_content would list them.

    A name load_content would report (`.yml`, a name that is not a slug) or a missing folder sends
    the build to load_content.
    """
    found: dict[str, Stat] = {}
    slug = _SLUG.fullmatch
    try:
        entries = list(os.scandir(folder))
    except OSError:
        raise Fallback from None
    try:
        for entry in entries:
            name = entry.name
            if name.endswith(".yaml") and not name.startswith(".") and not entry.is_dir():
                stem = name[:-5]
                if not slug(stem):
                    raise Fallback
                stat = entry.stat()
                found[stem] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            elif name.endswith(".yml") and not name.startswith(".") and not entry.is_dir():
                raise Fallback
    except OSError:  # a broken link, or removed while listing: load_content reports it
        raise Fallback from None
    return found


# Valid models of site.yaml and catalogue files by path and bytes: validation depends on nothing
# else, and the models are immutable, so a long-running process (the preview server) validates an
# unchanged file once.
_VALIDATED: dict[tuple[Path, bytes], Any] = {}


def valid_model(path: Path, data: bytes, validate: Any) -> Any:
    """The model for a file that must be valid; Fallback (load_content reports) when it is not."""
    key = (path, data)
    model = _VALIDATED.get(key)
    if model is None:
        model, errors = validate(parse_yaml_bytes(path, data))
        if model is None or errors:
            raise Fallback
        if len(_VALIDATED) > 1000:
            _VALIDATED.clear()
        _VALIDATED[key] = model
    return model


def load_fixed(root: Path, inputs: dict[str, InputRecord]) -> tuple[Site, dict[str, CatalogueEService]]:
    """site.yaml and the whole catalogue: few files, needed by every page, always checked."""
    site_path = root / "site.yaml"
    try:
        data = site_path.read_bytes()
        stat = site_path.stat()
        site = valid_model(site_path, data, validate_site)
    except (OSError, YamlSyntaxError):
        raise Fallback from None
    inputs["site"] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, content_hash(data))
    eservices: dict[str, CatalogueEService] = {}
    stats = scan_folder(root / "eservices")
    for eid in sorted(stats, key=lambda stem: f"{stem}.yaml"):
        path = root / "eservices" / f"{eid}.yaml"
        try:
            data = path.read_bytes()
            eservices[eid] = valid_model(path, data, validate_eservice)
        except (OSError, YamlSyntaxError):
            raise Fallback from None
        inputs[f"eservices/{eid}"] = (*stats[eid], content_hash(data))
    return site, eservices


def unchanged_clinics(
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


def verified_outputs(out: Path, outputs: dict[str, OutputRecord]) -> tuple[dict[str, OutputRecord], set[str]]:
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



DATE_PREFIX = "@days:"


def date_token(span: tuple[int, int]) -> str:
    """A page's span of days (ordinals, last one excluded) as an entry of its deps; no content key
    starts with "@", so the token never matches a changed file."""
    return f"{DATE_PREFIX}{span[0]}-{span[1]}"


def date_moved(deps: str, today: datetime.date) -> bool:
    """Whether `today` is outside the span of days recorded in a page's deps."""
    for dep in deps.split():
        if dep.startswith(DATE_PREFIX):
            first, after = dep[len(DATE_PREFIX) :].split("-")
            return not int(first) <= today.toordinal() < int(after)
    return False


@dataclass
class Changes:
    """What the last build's record says must be done again."""

    previous_outputs: dict[str, OutputRecord]  # published files still exactly as written
    damaged: set[str]  # published files changed or removed by hand
    removed: set[str]  # mottagningar whose file is gone
    changed: set[str]  # content keys ("site", "eservices/x", "clinics/y") whose bytes changed
    dirty: set[str]  # mottagningar whose contact page must be checked and rendered again


def detect_changes(
    root: Path,
    out: Path,
    clinic_stats: dict[str, Stat],
    inputs: dict[str, InputRecord],
    state: BuildState | None,
    contact_fingerprint: str,
    today: datetime.date,
) -> Changes:
    """Compare the content on disk (and the published site) with the last build's record.

    Without a record (a first or full build) every mottagning is dirty. `inputs` gains the
    records of the clinic files found unchanged. A page whose dated notices or exceptions change
    between the last build's date and `today` is dirty too, its file unchanged or not.
    """
    all_slugs = set(clinic_stats)
    if state is None:
        return Changes(previous_outputs={}, damaged=set(), removed=set(), changed=set(), dirty=all_slugs)
    previous_outputs, damaged = verified_outputs(out, state.outputs)
    same = unchanged_clinics(root, clinic_stats, state, inputs)
    removed = set(state.summaries) - all_slugs
    changed = {key for key, record in inputs.items() if state.inputs.get(key, (0, 0, 0, ""))[3] != record[3]}
    changed |= {f"eservices/{key.split('/', 1)[1]}" for key in state.inputs if key.startswith("eservices/")} - set(
        inputs
    )
    changed |= {f"clinics/{slug}" for slug in all_slugs - same}
    changed |= {f"clinics/{slug}" for slug in removed}
    if "site" in changed or contact_fingerprint != state.theme.get("contact"):
        dirty = set(all_slugs)
    else:
        dirty = {slug for slug, deps in state.deps.items() if not changed.isdisjoint(deps.split())}
        dirty |= all_slugs - same
        dirty |= {path.split("/")[1] for path in damaged if path.startswith("mottagningar/")}
        dirty |= {slug for slug, deps in state.deps.items() if DATE_PREFIX in deps and date_moved(deps, today)}
        dirty &= all_slugs
    return Changes(previous_outputs, damaged, removed, changed, dirty)
