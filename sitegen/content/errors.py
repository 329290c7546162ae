"""Content errors in the one shape editors learn to read: `file:line: key: message`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def format_key(loc: Sequence[str | int]) -> str:
    """`('eservices', 2, 'use')` as an editor would point at it: `eservices[2].use`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(filen)"


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in the content, located by file, line and key."""

    path: Path
    line: int
    key: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.key}: {self.message}"


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is below it, as editors typed it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class ContentInvalid(Exception):
    """Raised when content has errors; carries all of them so the editor sees every one at once."""

    def __init__(self, errors: Sequence[ContentError]) -> None:
        super().__init__(f"{len(errors)} fel i innehållet")
        self.errors = list(errors)
