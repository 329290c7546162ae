"""docs/security.md names, for each security property, the tests that prove it (`file::test`).

A test renamed, moved or never written leaves the property claimed with nothing behind it, and a
reader has no way to notice: the name still looks like a test. So every name the document gives
must be a test function (or class, or a method of one) in the file it names.

The document writes the names three ways: `tests/forms/test_x.py::test_y`, tests/forms/test_x.py::`test_y`,
and a bare `test_z` of the test file named last before it (on its line, in its table's header, or in
the paragraph above); a file may be named without its `tests/` folder (`test_x.py::test_y`) when its
name is unique under tests/.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECURITY = REPO / "docs" / "security.md"

# A test file and the name after its `::` (backticks around either, a [parameter] or Class::method).
NAMED = re.compile(r"(?P<file>(?:[\w.-]+/)*test_\w+\.py)`?::`?(?P<name>\w+(?:::\w+)?)")
# A test file named without a test: the one the bare names after it belong to.
MENTIONED = re.compile(r"(?P<file>(?:[\w.-]+/)*test_\w+\.py)(?!`?::)")
# A bare name, of the file named last: `test_z` (or `test_z[parameter]`).
FURTHER = re.compile(r"`(?P<name>test_\w+)(?:\[[^\]`]*\])?`")


def file_named(named: str) -> Path | None:
    """The file `named` stands for: as written, under tests/, or the one file of its name under tests/."""
    for candidate in (REPO / named, REPO / "tests" / named):
        if candidate.is_file():
            return candidate
    found = [path for path in (REPO / "tests").rglob(Path(named).name) if ".venv" not in path.parts]
    return found[0] if len(found) == 1 else None


@functools.cache
def defined(path: Path) -> frozenset[str]:
    """Its top-level functions and classes, and each class's methods as Class::method."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
            names.update(f"{node.name}::{item.name}" for item in node.body
                         if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef))
    return frozenset(names)


def references(text: str) -> list[tuple[int, str, str]]:
    """(line, file as written, test name) for every test the text names, in order.

    In prose a file holds until another is named; in a table, a file named in a row holds for that
    row only, and the rest of the table takes the one its header (or the paragraph above) names."""
    found: list[tuple[int, str, str]] = []
    default = "(no test file named before it)"
    for number, line in enumerate(text.splitlines(), start=1):
        named = [(m.start(), m.end(), m["file"], m["name"]) for m in NAMED.finditer(line)]
        inside = [(start, end) for start, end, _, _ in named]

        def free(position: int, spans: list[tuple[int, int]] = inside) -> bool:
            return not any(start <= position < end for start, end in spans)

        events = [(start, file, name, False) for start, _, file, name in named]
        events += [(m.start(), m["file"], None, True) for m in MENTIONED.finditer(line) if free(m.start())]
        events += [(m.start(), None, m["name"], False) for m in FURTHER.finditer(line) if free(m.start())]
        current, row = default, line.lstrip().startswith("|")
        for _, file, name, mentioned in sorted(events, key=lambda event: event[0]):
            current = file or current
            if file is not None and (mentioned or not row):
                default = file
            if name is not None:
                found.append((number, current, name))
    return found


def missing(text: str) -> list[str]:
    """The references of `text` that name no test that exists."""
    wrong = []
    for number, file, name in references(text):
        path = file_named(file)
        if path is None or name not in defined(path):
            wrong.append(f"docs/security.md:{number}: {file}::{name}")
    return wrong


def test_every_test_docs_security_md_names_exists() -> None:
    names = references(SECURITY.read_text(encoding="utf-8"))
    assert len(names) > 250, "the document names its tests; fewer found means the reading broke"
    assert missing(SECURITY.read_text(encoding="utf-8")) == []


def test_a_renamed_test_or_a_wrong_file_is_reported() -> None:
    """The check itself, on made-up lines: each way of writing a name is read, and a wrong one found."""
    here = "tests/test_security_doc.py"
    text = "\n".join([
        "| no file yet | `test_alone` |",
        f"| ok | `{here}::file_named`, `test_a_renamed_test_or_a_wrong_file_is_reported` |",
        f"| ok | {here}::`defined`, `missing` |",
        "| ok | `test_security_doc.py::file_named` |",
        f"| renamed | `{here}::file_named`, `test_that_was_renamed` |",
        "| wrong file | `tests/forms/test_no_such_file.py::file_named` |",
        f"| property | test ({here} unless named) |",
        "| ok, by the header | `test_every_test_docs_security_md_names_exists` |",
        "| renamed, by the header | `test_gone` |",
        "| another file in a row | `tests/forms/test_no_such_file.py::test_x` |",
        "| the header's again | `test_a_renamed_test_or_a_wrong_file_is_reported` |",
        "In prose, `tests/forms/test_no_such_file.py::test_y`,",
        "and on the next line `test_z`.",
    ])
    assert missing(text) == [
        "docs/security.md:1: (no test file named before it)::test_alone",
        f"docs/security.md:5: {here}::test_that_was_renamed",
        "docs/security.md:6: tests/forms/test_no_such_file.py::file_named",
        f"docs/security.md:9: {here}::test_gone",
        "docs/security.md:10: tests/forms/test_no_such_file.py::test_x",
        "docs/security.md:12: tests/forms/test_no_such_file.py::test_y",
        "docs/security.md:13: tests/forms/test_no_such_file.py::test_z",
    ]
