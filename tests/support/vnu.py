"""The Nu Html Checker (npm package vnu-jar) run once over many documents.

Java starts slowly, so every document of a test run goes to one call. The jar is installed by
scripts/test.sh into .tools/; $VNU_JAR may point elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

DEFAULT_JAR = Path(__file__).resolve().parents[2] / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"


def vnu_jar() -> Path:
    jar = Path(os.environ.get("VNU_JAR") or DEFAULT_JAR)
    if not jar.is_file() or shutil.which("java") is None:
        raise AssertionError(
            f"The Nu Html Checker is not installed ({jar}, java: {shutil.which('java')}); "
            "scripts/test.sh installs it."
        )
    return jar


class CheckerFailed(AssertionError):
    """The checker did not check: it failed to start, crashed, or answered something unreadable.

    Without this, a checker that never ran would look like one that found no errors.
    """


def html_errors(paths: list[Path]) -> list[str]:
    """Every error the checker reports for the given HTML files, as `file:line: message`.

    The checker exits 0 when it found no error and 1 when it found some, and prints one JSON object
    either way; anything else (another status, no JSON, status and messages that disagree) raises
    CheckerFailed. It answers "no messages" for a file that does not exist, so every path must be one.
    """
    missing = [str(path) for path in paths if not Path(path).is_file()]
    if missing:
        raise CheckerFailed(f"no such HTML files to check: {missing}")
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return parse_report(result.returncode, result.stderr or result.stdout)


def parse_report(status: int, output: str) -> list[str]:
    """The errors of one checker run, from its exit status and its JSON output."""
    what = f"the Nu Html Checker exited {status} with: {output[-2000:]!r}"
    if status not in (0, 1):
        raise CheckerFailed(what)
    try:
        messages = json.loads(output)["messages"]
    except (ValueError, KeyError, TypeError) as error:
        raise CheckerFailed(what) from error
    if not isinstance(messages, list):
        raise CheckerFailed(what)
    errors = [m for m in messages if m.get("type") == "error"]
    # A non-document failure (an unreadable file, an internal error) is a "non-document-error".
    failures = [m for m in messages if m.get("type") not in ("error", "info")]
    if failures or (status == 1) != bool(errors):
        raise CheckerFailed(what)
    return [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m.get('message', '')}" for m in errors]


def document_errors(documents: Mapping[str, str]) -> list[str]:
    """Errors for HTML held in memory (name → markup), e.g. pages saved during browser journeys."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"{index:03d}-{name.strip('/').replace('/', '_') or 'root'}.html"
            path.write_text(html, encoding="utf-8")
            paths.append(path)
        return html_errors(paths) if paths else []
