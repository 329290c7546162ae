"""The validated content, as the build leaves it for the forms app: read at start, not validated again.

Validating 10,000 mottagningar takes seconds and hundreds of megabytes, and every app worker would
do it again at every start. The build has just done that work, so it writes what it validated
beside the site, in a folder no web server serves (`.hittavard/content/`):

- `manifest.json`: the format, the version of the models, a hash of every content file the build
  read (site.yaml, eservices/, clinics/), and the site and the catalogue as validated;
- `clinics/<slug>.json`: one mottagning as validated, after a first line with the hash of the
  file it came from (written by the build's shards with the page, so an incremental build
  rewrites only the mottagningar that changed).

The app trusts it only when it matches the content folder it is given exactly: the same files
with the same hashes, every clinic file from the file that is there now, the same models. Anything
else (an edit since the build, a build of other content, a half-finished build, a newer program)
makes `read_snapshot` return None with the reason, and the app validates the YAML as before.
Mottagningar are kept as their JSON bytes and turned into models when first asked for (a bounded
cache of them), so a worker holds the whole country in a few tens of megabytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

from sitegen.content.bundle import Content
from sitegen.content.models import CatalogueEService, Clinic, Site

FORMAT = 1
SNAPSHOT_DIR = ".hittavard/content"  # a dot-folder: forms/serve.py and deploy/nginx.conf refuse it
MANIFEST = f"{SNAPSHOT_DIR}/manifest.json"
CLINICS_DIR = f"{SNAPSHOT_DIR}/clinics"
CACHED_CLINICS = 2048  # models kept at once; the rest stay bytes until asked for again


def file_hash(data: bytes) -> str:
    """The hash the build records of a content file's bytes (sitegen.build.cache.content_hash)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@cache
def models_version() -> str:
    """The content model's source (models and the validators they call): a snapshot written by
    another version is not read with this one."""
    digest = hashlib.blake2b(f"{FORMAT}".encode(), digest_size=16)
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def clinic_path(slug: str) -> str:
    return f"{CLINICS_DIR}/{slug}.json"


def clinic_bytes(clinic: Clinic, source_hash: str) -> bytes:
    return source_hash.encode("ascii") + b"\n" + clinic.model_dump_json(by_alias=True).encode("utf-8")


def manifest_bytes(site: Site, eservices: Mapping[str, CatalogueEService], hashes: Mapping[str, str]) -> bytes:
    """The manifest; `hashes` by the build's keys: "site", "eservices/<id>", "clinics/<slug>"."""
    manifest = {
        "format": FORMAT,
        "models": models_version(),
        "files": dict(sorted(hashes.items())),
        "site": site.model_dump(mode="json", by_alias=True),
        "eservices": {eid: eservice.model_dump(mode="json", by_alias=True) for eid, eservice in eservices.items()},
    }
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file the loader would read or report, by the build's key (a stray name gets its own key)."""
    yield "site", root / "site.yaml"
    for folder in ("eservices", "clinics"):
        try:
            entries = list(os.scandir(root / folder))
        except OSError:
            yield f"{folder}/", root / folder  # a missing folder: never equal to a manifest
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(".") or not name.endswith((".yaml", ".yml")) or entry.is_dir():
                continue
            key = name[:-5] if name.endswith(".yaml") else name
            yield f"{folder}/{key}", Path(entry.path)


def content_hashes(root: Path) -> dict[str, str]:
    """The hash of every content file under `root`, as the manifest records them."""
    hashes: dict[str, str] = {}
    for key, path in _files(root):
        try:
            hashes[key] = file_hash(path.read_bytes())
        except OSError:
            hashes[key] = "unreadable"
    return hashes


class SnapshotClinics(Mapping[str, Clinic]):
    """The mottagningar by slug, in the loader's order; each a model from its JSON when first asked for."""

    def __init__(self, raw: dict[str, bytes]) -> None:
        self._raw = raw
        self._models: OrderedDict[str, Clinic] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, slug: str) -> Clinic:
        with self._lock:
            model = self._models.get(slug)
            if model is not None:
                self._models.move_to_end(slug)
                return model
        data = self._raw[slug]  # KeyError for an unknown slug, as a dict
        model = Clinic.model_validate_json(data[data.index(b"\n") + 1 :])
        with self._lock:
            self._models[slug] = model
            if len(self._models) > CACHED_CLINICS:
                self._models.popitem(last=False)
        return model

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, slug: object) -> bool:
        return slug in self._raw


def read_snapshot(content_dir: Path, site_dir: Path) -> tuple[Content | None, str]:
    """The content the build of `site_dir` validated, if it is exactly `content_dir`'s; else (None, why)."""
    try:
        manifest = json.loads((site_dir / MANIFEST).read_bytes())
    except (OSError, ValueError) as error:
        return None, f"ingen ögonblicksbild av innehållet i {site_dir} ({error.__class__.__name__})"
    if manifest.get("format") != FORMAT or manifest.get("models") != models_version():
        return None, "ögonblicksbilden är skriven av en annan version av programmet"
    hashes = content_hashes(content_dir)
    if manifest.get("files") != hashes:
        return None, f"innehållet i {content_dir} har ändrats sedan bygget av {site_dir}"
    slugs = sorted((key[len("clinics/") :] for key in hashes if key.startswith("clinics/")), key=lambda s: s + ".yaml")
    raw: dict[str, bytes] = {}
    folder = site_dir / CLINICS_DIR
    for slug in slugs:
        try:
            data = (folder / f"{slug}.json").read_bytes()
        except OSError:
            return None, f"ögonblicksbilden saknar {slug}"
        if data[:32].decode("ascii", "replace") != hashes[f"clinics/{slug}"] or data[32:33] != b"\n":
            return None, f"ögonblicksbilden av {slug} är inte från filen som finns nu"
        raw[slug] = data
    try:
        site = Site.model_validate(manifest["site"])
        found = manifest["eservices"]
        # In the loader's order (by file name), not the manifest's sorted keys.
        order = sorted(found, key=lambda eid: eid + ".yaml")
        eservices = {eid: CatalogueEService.model_validate(found[eid]) for eid in order}
    except (KeyError, TypeError, ValueError) as error:
        return None, f"ögonblicksbilden går inte att läsa ({error.__class__.__name__})"
    return Content(root=content_dir, site=site, eservices=eservices, clinics=SnapshotClinics(raw)), ""  # type: ignore[arg-type]


def snapshot_files(content: Content, hashes: Mapping[str, str]) -> dict[str, bytes]:
    """The whole snapshot of `content` (the plain build's way: every file at once)."""
    files = {
        clinic_path(slug): clinic_bytes(clinic, hashes[f"clinics/{slug}"]) for slug, clinic in content.clinics.items()
    }
    files[MANIFEST] = manifest_bytes(content.site, content.eservices, hashes)
    return files

