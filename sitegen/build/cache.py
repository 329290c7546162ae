"""What the incremental build remembers of the last successful build.

For every content file: its size, modification time, inode and content hash. For every file of the
published site: its size, modification time and content hash. For every mottagning: the content
files its page depends on and a summary other pages need (what it offers for borrowing, its card
for the index page). And the fingerprints of the theme's templates.

The cache lives beside the output folder, never in it (a published site carries no build
bookkeeping): `<parent>/.sitegen-cache/build-<name>/`. It is trusted only when it was written by
the same generator (a hash of sitegen's own source and the versions of the libraries that shape the
output) for the same output folder; anything else, or a cache that cannot be read, means a full
build. It is removed before an incremental build touches the site and written again after, so a
build that dies half-way is followed by a full one.
"""

from __future__ import annotations

import hashlib
import io
import json
import marshal
import os
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

_FORMAT = 3
_FILE = "state.marshal"
# The libraries that shape the output, by their distributions' normalized names.
_LIBRARIES = ("jinja2", "markupsafe", "markdown_it_py", "pydantic", "pydantic_core", "pyyaml", "phonenumbers")

# The packages a build runs (sitegen.build.run and what it imports): their source is part of the
# generator's version. Editing another part (the editor's check or preview commands, the CLI) keeps
# the cache; tests/sitegen/test_incremental.py checks that these cover every module a build imports.
BUILD_PACKAGES = ("content", "site", "build")

# (size, mtime_ns, inode, content hash) of a content file.
InputRecord = tuple[int, int, int, str]
# (size, mtime_ns, content hash) of a published file.
OutputRecord = tuple[int, int, str]
# What one mottagning offers others to borrow: (kind, id, name, category, villkor); name, category
# and villkor are empty for `use` entries (they come from the catalogue).
Offer = tuple[str, str, str, str, str]


class Summary:
    """What other pages need to know about one mottagning without loading its file.

    Kept as a few strings, decoded only when needed: the cache holds one per mottagning, and the
    time to read and write the cache grows with the number of objects in it.
    """

    __slots__ = ("_card", "card_json", "file", "locals", "uses")

    def __init__(self, file: str, card_json: str, uses: str, locals: tuple[Offer, ...]) -> None:
        self.file = file  # the file name: clinics are ordered by it (as load_content orders them)
        self.card_json = card_json  # the clinic's fields for the index page (no eservices, no about)
        self.uses = uses  # the catalogue ids it `use`s, space-separated
        self.locals = locals  # its own local e-services as offers
        self._card: dict[str, Any] | None = None

    @property
    def card(self) -> dict[str, Any]:
        if self._card is None:
            self._card = json.loads(self.card_json)
        return self._card

    @property
    def offers(self) -> list[Offer]:
        """What others may borrow from it, in the order of its file (uses first, then locals)."""
        return [("use", eid, "", "", "") for eid in self.uses.split()] + list(self.locals)

    def to_tuple(self) -> tuple[str, str, str, tuple[Offer, ...]]:
        return (self.file, self.card_json, self.uses, self.locals)

    def __reduce__(self) -> tuple[type[Summary], tuple[str, str, str, tuple[Offer, ...]]]:
        return (Summary, self.to_tuple())


@dataclass
class BuildState:
    """The cache's content; see the module docstring."""

    version: str
    out: str
    scan_time_ns: int = 0
    inputs: dict[str, InputRecord] = field(default_factory=dict)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    summaries: dict[str, Summary] = field(default_factory=dict)
    # slug → content files its page depends on, space-separated, and its span of days (scan.date_token)
    deps: dict[str, str] = field(default_factory=dict)
    theme: dict[str, str] = field(default_factory=dict)
    index_fields: list[str] = field(default_factory=list)  # the card fields the index page read


def cache_dir(out: Path) -> Path:
    out = Path(out).resolve()
    return out.parent / ".sitegen-cache" / f"build-{out.name}"


@cache
def generator_version() -> str:
    """A hash of everything besides content and theme that decides the output's bytes."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{_FORMAT} {sys.version}".encode())
    digest.update(" ".join(_library_versions()).encode())
    root = Path(__file__).resolve().parent.parent
    sources = [root / "__init__.py"]
    for package in BUILD_PACKAGES:
        sources += sorted((root / package).rglob("*.py"))
    for source in sources:
        name = source.relative_to(root).as_posix()
        digest.update(b"\0" + name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _library_versions() -> list[str]:
    """`name-version` of each library, from the names of their .dist-info folders.

    Listing site-packages once is much faster than importlib.metadata, whose import alone costs
    more than a one-page rebuild should; it is the fallback for libraries installed otherwise.
    """
    import jinja2

    site = Path(jinja2.__file__).resolve().parent.parent
    try:
        infos = [name.lower() for name in os.listdir(site) if name.endswith(".dist-info")]
    except OSError:
        infos = []
    versions = []
    for library in _LIBRARIES:
        found = sorted(info[: -len(".dist-info")] for info in infos if info.startswith(f"{library}-"))
        if not found:
            from importlib import metadata

            try:
                found = [f"{library}-{metadata.version(library)}"]
            except metadata.PackageNotFoundError:
                found = [f"{library}-?"]
        versions.extend(found)
    return versions


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# The state this process wrote last, by cache file, with the file's stat then: a long-running
# process (the preview server) rebuilding again and again need not read back what it wrote.
_REMEMBERED: dict[Path, tuple[tuple[object, ...], BuildState]] = {}
# The journal: after a small incremental build only what changed is appended, instead of rewriting
# the whole state (13 MB for 10,000 mottagningar: a tenth of a one-page rebuild). It is folded into
# the state file when it grows.
_JOURNAL = "journal.marshal"
_BEGIN = "begin"  # a record appended before an incremental build changes the site
_MAPS = ("inputs", "outputs", "summaries", "deps")


def _file_stat(path: Path) -> tuple[int, int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (-1, -1, -1)
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _stats(folder: Path) -> tuple[object, ...]:
    return (_file_stat(folder / _FILE), _file_stat(folder / _JOURNAL))


def load_state(out: Path) -> BuildState | None:
    """The last build's state for `out`, or None when there is none that can be trusted."""
    folder = cache_dir(out)
    try:
        remembered = _REMEMBERED.get(folder)
        if remembered is not None and remembered[0] == _stats(folder) and remembered[1].version == generator_version():
            return remembered[1]  # builds never change a loaded state; they make a new one
        raw = marshal.loads((folder / _FILE).read_bytes())
        if raw["version"] != generator_version() or raw["out"] != str(Path(out).resolve()):
            return None
        if not _replay(folder / _JOURNAL, raw):
            return None
        return BuildState(
            version=raw["version"],
            out=raw["out"],
            scan_time_ns=raw["scan_time_ns"],
            inputs=raw["inputs"],
            outputs=raw["outputs"],
            summaries={slug: Summary(*value) for slug, value in raw["summaries"].items()},
            deps=raw["deps"],
            theme=raw["theme"],
            index_fields=raw["index_fields"],
        )
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None


def _replay(journal: Path, raw: dict[str, Any]) -> bool:
    """Apply the journal's changes to the state read from the state file; False if unfinished."""
    try:
        data = journal.read_bytes()
    except FileNotFoundError:
        return True
    stream = io.BytesIO(data)
    finished = True
    while stream.tell() < len(data):
        record = marshal.load(stream)
        if record == _BEGIN:
            finished = False
            continue
        for name in _MAPS:
            changed, removed = record[name]
            raw[name].update(changed)
            for key in removed:
                raw[name].pop(key, None)
        for name in ("scan_time_ns", "theme", "index_fields"):
            raw[name] = record[name]
        finished = True
    return finished


def forget_state(out: Path) -> None:
    """Remove the cache: the site is about to be replaced by other means."""
    folder = cache_dir(out)
    _REMEMBERED.pop(folder, None)
    (folder / _FILE).unlink(missing_ok=True)
    (folder / _JOURNAL).unlink(missing_ok=True)


def begin_changes(out: Path) -> None:
    """Mark the cache as not to be trusted until save_state: the site is about to change in place.

    A build that dies half-way leaves this mark, and the next build is a full one.
    """
    folder = cache_dir(out)
    _REMEMBERED.pop(folder, None)
    with (folder / _JOURNAL).open("ab") as journal:
        marshal.dump(_BEGIN, journal)


def _raw(state: BuildState) -> dict[str, Any]:
    return {
        "version": state.version,
        "out": state.out,
        "scan_time_ns": state.scan_time_ns,
        "inputs": state.inputs,
        "outputs": state.outputs,
        "summaries": {slug: summary.to_tuple() for slug, summary in state.summaries.items()},
        "deps": state.deps,
        "theme": state.theme,
        "index_fields": state.index_fields,
    }


def _delta(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    changed = {key: value for key, value in new.items() if old.get(key) != value}
    return changed, [key for key in old if key not in new]


def save_state(out: Path, state: BuildState, previous: BuildState | None = None) -> None:
    """Record the state after a successful build.

    Given the state the build started from, only the difference is appended to the journal;
    otherwise, or when the journal has grown, the whole state is written to a temporary file and
    renamed into place (atomically) and the journal is removed.
    """
    folder = cache_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    journal = folder / _JOURNAL
    if previous is not None and not _journal_too_long(folder):
        record: dict[str, Any] = {
            "inputs": _delta(previous.inputs, state.inputs),
            "outputs": _delta(previous.outputs, state.outputs),
            "summaries": _summary_delta(previous.summaries, state.summaries),
            "deps": _delta(previous.deps, state.deps),
            "scan_time_ns": state.scan_time_ns,
            "theme": state.theme,
            "index_fields": state.index_fields,
        }
        with journal.open("ab") as stream:
            marshal.dump(record, stream)
    else:
        handle, temporary = tempfile.mkstemp(prefix=".state.", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                marshal.dump(_raw(state), stream)
            os.replace(temporary, folder / _FILE)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        journal.unlink(missing_ok=True)
    _REMEMBERED[folder] = (_stats(folder), state)


def _journal_too_long(folder: Path) -> bool:
    """Whether to fold the journal into the state file: once it is a quarter of its size."""
    journal, base = _file_stat(folder / _JOURNAL)[0], _file_stat(folder / _FILE)[0]
    return base < 0 or journal > max(1_000_000, base // 4)


def _summary_delta(
    old: dict[str, Summary], new: dict[str, Summary]
) -> tuple[dict[str, tuple[str, str, str, tuple[Offer, ...]]], list[str]]:
    changed = {}
    for slug, summary in new.items():
        known = old.get(slug)
        if known is None or (known is not summary and known.to_tuple() != summary.to_tuple()):
            changed[slug] = summary.to_tuple()
    return changed, [slug for slug in old if slug not in new]
