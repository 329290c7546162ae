"""Writing a rendered site to disk so that readers never see half of it.

The new site is written into a temporary folder beside the target and swapped in with renames; a
build that fails before the swap leaves the previous site exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def publish(files: Mapping[str, bytes], out: Path) -> None:
    """Replace the folder `out` with exactly `files` (relative POSIX paths → bytes)."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for relative, data in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(staging, 0o755)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = None
    if out.exists():
        previous = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rename(out, previous / "site")
    os.rename(staging, out)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
