"""What `sitegen check` found, and the two ways it says so: text for editors, JSON for tools.

Content errors, guideline rules, quality warnings and broken links are different checks, but an
editor reads them as one list in one shape, `file:line: key: message`, sorted by file and line, so
the report reads top to bottom through each file. Tools get the same findings as JSON with the
level and the rule spelt out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sitegen.content.errors import ContentError, display_path

# A note is for the editor's information only: never a failure, not even with --strict (a date that
# has passed is worth tidying away, but content must not turn red by itself as time passes).
Level = Literal["error", "warning", "note"]


@dataclass(frozen=True, order=True)
class Finding:
    """One located problem: where (file, line, key), how bad (level), which check (rule) and what."""

    path: Path
    line: int
    key: str
    message: str
    level: Level = "error"
    rule: str = "content"

    @classmethod
    def from_error(cls, error: ContentError, rule: str) -> Finding:
        """A finding from a located content error (`Content.locate` builds those)."""
        level: Level = "warning" if error.level == "warning" else "note" if error.level == "note" else "error"
        return cls(error.path, error.line, error.key, error.message, level, rule)

    def __str__(self) -> str:
        prefix = {"warning": "varning: ", "note": "notering: "}.get(self.level, "")
        return f"{display_path(self.path)}:{self.line}: {self.key}: {prefix}{self.message}"

    def as_json(self) -> dict[str, str | int]:
        return {
            "file": display_path(self.path),
            "line": self.line,
            "key": self.key,
            "level": self.level,
            "rule": self.rule,
            "message": self.message,
        }


def counts(findings: Iterable[Finding]) -> tuple[int, int]:
    """(errors, warnings); notes count as neither."""
    errors = warnings = 0
    for finding in findings:
        if finding.level == "error":
            errors += 1
        elif finding.level == "warning":
            warnings += 1
    return errors, warnings


def note_count(findings: Iterable[Finding]) -> int:
    return sum(1 for finding in findings if finding.level == "note")


def passes(findings: Iterable[Finding], strict: bool) -> bool:
    """Errors fail; warnings fail only under --strict, so CI can choose to hold editors to them."""
    errors, warnings = counts(findings)
    return errors == 0 and (warnings == 0 or not strict)


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def summary(findings: Sequence[Finding], strict: bool) -> str:
    """The last line of a text report: how many of each, and whether the check passed."""
    errors, warnings = counts(findings)
    parts = f"{plural(errors, 'fel', 'fel')} och {plural(warnings, 'varning', 'varningar')}"
    if notes := note_count(findings):
        parts += f" ({plural(notes, 'notering', 'noteringar')}, som inte räknas)"
    if passes(findings, strict):
        return f"Kontrollen gick igenom: {parts}."
    if errors == 0:
        return f"Kontrollen gick inte igenom: {parts} (med --strict räknas varningar som fel)."
    return f"Kontrollen gick inte igenom: {parts}."


def to_json(findings: Sequence[Finding], strict: bool) -> str:
    """The report for other tools: every finding with file, line, key, level, rule and message."""
    errors, warnings = counts(findings)
    report = {
        "ok": passes(findings, strict),
        "errors": errors,
        "warnings": warnings,
        "findings": [finding.as_json() for finding in sorted(findings)],
    }
    if notes := note_count(findings):  # only then, so reports without notes keep their shape
        report["notes"] = notes
    return json.dumps(report, ensure_ascii=False, indent=2)
