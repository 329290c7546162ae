"""A theme folder: Jinja templates, one stylesheet and a favicon, shared by the site and the forms app.

The stylesheet's and the favicon's file names carry a hash of their bytes so they can be cached for
a year: a changed file is a new file name, and no visitor ever gets old CSS with new HTML. Every
page links both favicons (SVG, and ICO for browsers without SVG icons), so no browser falls back to
asking for a /favicon.ico that is not there.
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

    @cached_property
    def site_files(self) -> dict[str, bytes]:
        """The theme's files as published in the site, by path: the stylesheet and, when the theme
        has one, the favicon (static/favicon.<hash>.svg and .ico)."""
        files = {f"static/{self.css_name}": self.css_bytes}
        for suffix in ("svg", "ico"):
            path = self.folder / "static" / f"favicon.{suffix}"
            if path.is_file():
                data = path.read_bytes()
                files[f"static/favicon.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"] = data
        return files

    def favicon_path(self, suffix: str) -> str | None:
        """The fingerprinted path of the favicon in this format, if the theme has one."""
        return next(
            (path for path in self.site_files if path.startswith("static/favicon.") and path.endswith(f".{suffix}")),
            None,
        )

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
