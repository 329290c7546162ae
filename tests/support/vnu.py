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


def html_errors(paths: list[Path]) -> list[str]:
    """Every error the checker reports for the given HTML files, as `file:line: message`."""
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m.get('message', '')}" for m in messages]


def document_errors(documents: Mapping[str, str]) -> list[str]:
    """Errors for HTML held in memory (name → markup), e.g. pages saved during browser journeys."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"{index:03d}-{name.strip('/').replace('/', '_') or 'root'}.html"
            path.write_text(html, encoding="utf-8")
            paths.append(path)
        return html_errors(paths) if paths else []
