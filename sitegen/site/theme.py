"""A theme folder: Jinja templates and one stylesheet, shared by the site and the forms app.

The stylesheet's file name carries a hash of its bytes so it can be cached for a year: a changed
stylesheet is a new file name, and no visitor ever gets old CSS with new HTML.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from sitegen.site.markdown import render_markdown

DEFAULT_THEME = Path(__file__).resolve().parents[2] / "themes" / "default"


@dataclass(frozen=True)
class Theme:
    folder: Path = DEFAULT_THEME

    @property
    def templates(self) -> Path:
        return self.folder / "templates"

    @cached_property
    def css_bytes(self) -> bytes:
        return (self.folder / "static" / "style.css").read_bytes()

    @cached_property
    def css_name(self) -> str:
        """`style.<first 10 hex digits of sha256>.css`."""
        digest = hashlib.sha256(self.css_bytes).hexdigest()[:10]
        return f"style.{digest}.css"

    def environment(self) -> Environment:
        """A Jinja environment for this theme: autoescaped, strict about undefined names."""
        env = Environment(
            loader=FileSystemLoader(str(self.templates)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["markdown"] = render_markdown
        return env
