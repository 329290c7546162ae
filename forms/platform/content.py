"""The content an app worker starts with: the build's snapshot when it is current, else the YAML.

A worker that validates 10,000 mottagningar again takes seconds and hundreds of megabytes; the
build has already done it and left what it validated in the built site (sitegen.content.snapshot).
That snapshot is used only when it matches the content folder exactly; otherwise the YAML is
validated as before, so a broken or edited content folder still stops the app with located errors.
The site folder is FORMS_SITE_DIR (default `build`), the same one the search index is read from.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sitegen.content.bundle import Content
from sitegen.content.loader import load_content
from sitegen.content.snapshot import read_snapshot

log = logging.getLogger(__name__)


def site_dir(config: Mapping[str, Any]) -> Path:
    """FORMS_SITE_DIR from the config dict (with or without the prefix) or the environment."""
    for key in ("FORMS_SITE_DIR", "SITE_DIR"):
        if config.get(key):
            return Path(config[key])
    return Path(os.environ.get("FORMS_SITE_DIR") or "build")


def app_content(content_dir: Path, site: Path) -> Content:
    content, why = read_snapshot(content_dir, site)
    if content is not None:
        return content
    log.info("Innehållet valideras från YAML: %s", why)
    return load_content(content_dir)
