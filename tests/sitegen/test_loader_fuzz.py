"""Whatever an editor saves, the loader answers with located errors, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import load_content
from tests.sitegen.conftest import CLINIC, INTYG, write_content

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20), st.dates()
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
keys = st.sampled_from(
    ["name", "use", "borrow", "from", "local", "options", "pages", "questions", "when", "type", "id", "category",
     "eservices", "address", "opening_hours", "offers", "info", "url", "villkor", "min", "max", "fields", "x"]
)

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# What an editor reads: `file:line: key: message`, the file one of theirs (as a path they can open).
LOCATED = re.compile(r"(?P<file>[^:\n]+\.ya?ml):(?P<line>[1-9][0-9]*): (?P<rest>.+)", re.DOTALL)


def assert_clean(root: Path) -> None:
    try:
        load_content(root)
    except ContentInvalid as invalid:
        assert invalid.errors
        for error in invalid.errors:
            shown = str(error)
            match = LOCATED.fullmatch(shown)
            assert match, shown
            file = Path(match["file"]) if Path(match["file"]).is_absolute() else Path.cwd() / match["file"]
            assert file.is_file() and file.resolve().is_relative_to(root.resolve()), shown
            lines = len(file.read_bytes().splitlines())
            assert int(match["line"]) == error.line <= max(lines, 1) + 1, (shown, lines)
            assert match["rest"] == f"{error.key}: {error.message}" and error.message.strip(), shown
            assert "Traceback" not in shown and "File \"" not in shown, shown


def replace_somewhere(data: Any, path: list[int], key: str, value: Any) -> Any:
    """Put `value` under `key` in a mapping reached by following `path` into the document."""
    node = data
    for step in path:
        children = list(node.values()) if isinstance(node, dict) else node if isinstance(node, list) else []
        containers = [child for child in children if isinstance(child, (dict, list))]
        if not containers:
            break
        node = containers[step % len(containers)]
    if isinstance(node, dict):
        node[key] = value
    elif isinstance(node, list):
        node.append({key: value})
    return data


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_as_a_clinic_file(tmp_path_factory: Any, text: str) -> None:
    root = write_content(tmp_path_factory.mktemp("c"), **{"clinics__vardcentralen-test": text})
    assert_clean(root)


@FUZZ
@given(path=st.lists(st.integers(0, 10), max_size=5), key=keys, value=values)
def test_random_values_in_a_valid_clinic(tmp_path_factory: Any, path: list[int], key: str, value: Any) -> None:
    data = replace_somewhere(yaml.safe_load(CLINIC), path, key, value)
    root = write_content(tmp_path_factory.mktemp("c"), **{"clinics__vardcentralen-test": yaml.safe_dump(data, allow_unicode=True)})
    assert_clean(root)


@FUZZ
@given(path=st.lists(st.integers(0, 10), max_size=6), key=keys, value=values)
def test_random_values_in_a_valid_form(tmp_path_factory: Any, path: list[int], key: str, value: Any) -> None:
    data = replace_somewhere(yaml.safe_load(INTYG), path, key, value)
    root = write_content(tmp_path_factory.mktemp("c"), **{"eservices__begar-intyg": yaml.safe_dump(data, allow_unicode=True)})
    assert_clean(root)


@FUZZ
@given(data=st.binary(max_size=200))
def test_random_bytes_as_site_yaml(tmp_path_factory: Any, data: bytes) -> None:
    root = write_content(tmp_path_factory.mktemp("c"))
    (root / "site.yaml").write_bytes(data)
    assert_clean(root)


def test_deeply_nested_yaml_is_a_clear_error(tmp_path: Path) -> None:
    root = write_content(tmp_path / "c", **{"clinics__vardcentralen-test": "a: " + "[" * 5000 + "]" * 5000 + "\n"})
    assert_clean(root)


def test_aliases_are_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nname: *b\n"
    root = write_content(tmp_path / "c", **{"clinics__vardcentralen-test": bomb})
    try:
        load_content(root)
    except ContentInvalid as invalid:
        assert [str(error).split("/c/")[-1] for error in invalid.errors] == [
            "clinics/vardcentralen-test.yaml:2: (yaml): ogiltig YAML: alias (*namn) används inte i innehållet; skriv ut värdet"
        ]
    else:
        raise AssertionError("an alias was accepted")
