"""Real Chromium for the browser tests, and the axe-core check every page must pass.

The test machines cannot download Playwright's own browser builds, so Debian's Chromium is used
where it is installed, with the flags that keep it from reaching for the network.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MOBILE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_AXE = Axe()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium when present (or $CHROMIUM_PATH), else Playwright's own build."""
    executable = os.environ.get("CHROMIUM_PATH") or (str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None)
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def axe_violations(page: Any, again: bool = False) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.x A/AA violations on the page as loaded (needs JavaScript on).

    `again`: axe-core is already in this very page (a run at another width after a resize), so it
    is not injected anew: the injection, half a megabyte of script, is much of a run's cost."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}}
    if again:
        return list(page.evaluate("options => axe.run(document, options)", options)["violations"])
    results = _AXE.run(page, options=options)
    return list(results.response["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


def assert_accessible(page: Any, again: bool = False) -> None:
    """Fail with a readable list when axe-core finds any WCAG 2.x A/AA violation."""
    violations = axe_violations(page, again)
    assert not violations, f"axe-core violations on {page.url}:\n{describe_violations(violations)}"
