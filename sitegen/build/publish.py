"""Writing a rendered site to disk so that readers never see half of it.

A full build writes the new site into a temporary folder beside the target and swaps it in with
renames; a build that fails before the swap leaves the previous site exactly as it was.

An incremental build changes only the files whose bytes changed, each one written to a temporary
file beside it and renamed over the old one, so no reader ever gets half a file. It runs only
after every check has passed, so a failed build still writes nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def publish(files: Mapping[str, bytes], out: Path) -> None:
    """Replace the folder `out` with exactly `files` (relative POSIX paths → bytes)."""
    staging = new_staging(out)
    try:
        for relative, data in files.items():
            write_new(staging, relative, data)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, out)


def new_staging(out: Path) -> Path:
    """An empty folder beside `out` to write a whole new site into (same file system: renames work)."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))


def write_new(root: Path, relative: str, data: bytes) -> None:
    """Write a file into a folder nobody reads yet (a staging folder): no temporary name needed."""
    target = root / relative
    try:
        target.write_bytes(data)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def swap_in(staging: Path, out: Path) -> None:
    """Make the finished `staging` folder the site at `out`, then remove the previous site."""
    out = Path(out).resolve()
    os.chmod(staging, 0o755)
    previous = None
    if out.exists():
        previous = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rename(out, previous / "site")
    os.rename(staging, out)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def replace_file(root: Path, relative: str, data: bytes) -> os.stat_result:
    """Atomically replace (or create) one file of a live site; returns its new stat.

    Written under a hidden temporary name in the same folder and renamed over the old file, so a
    reader gets either the old bytes or the new ones. Plain os calls: on a virtual machine's disk
    each system call counts when thousands of pages change at once.
    """
    target = f"{root}{os.sep}{relative}"
    folder, _, name = target.rpartition(os.sep)
    temporary = f"{folder}{os.sep}.{name}.{os.getpid()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(temporary, flags, 0o666)  # the umask applies, as for any new file
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        handle = os.open(temporary, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        stat = os.fstat(handle)
    except BaseException:
        os.close(handle)
        os.unlink(temporary)
        raise
    os.close(handle)
    try:
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return stat


def remove_file(root: Path, relative: str) -> None:
    """Remove one file of a live site, and its folder when that is left empty (a removed page)."""
    target = root / relative
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
