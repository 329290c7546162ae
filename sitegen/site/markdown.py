"""Markdown fields (villkor, info, about) to safe HTML.

CommonMark via markdown-it-py with raw HTML off: editors' text can never inject markup or script.
Headings are moved down to sit under the heading of the section they are shown in, so a `#` in a
villkor text never makes a second `<h1>` on the page.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False, "typographer": False})


@lru_cache(maxsize=4096)
def render_markdown(text: str, heading_level: int = 3) -> Markup:
    """HTML for `text`, with its top heading level at `heading_level` (never above h6).

    Cached because the same central villkor is shown on hundreds of pages.
    """
    tokens = _PARSER.parse(text)
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            level = int(token.tag[1]) + heading_level - 1
            token.tag = f"h{min(level, 6)}"
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    return Markup(html)
