"""The editors' guides (docs/content.md, docs/editors.md, in Swedish) link to each other's sections
by heading. Their headings were translated once and other sections are added to them in parallel, so
a link written against an old or English heading would silently land at the top of the page; and
an example that is not even YAML teaches editors a mistake.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
GUIDES = [ROOT / "docs" / "content.md", ROOT / "docs" / "editors.md"]
LINKING = [*GUIDES, ROOT / "README.md"]
_md = MarkdownIt("commonmark").enable("table")


def _anchor(heading: str) -> str:
    """The id GitHub (and most Markdown viewers) give a heading: lowercase, punctuation dropped,
    letters such as å, ä and ö kept, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    tokens = _md.parse(path.read_text(encoding="utf-8"))
    return {
        _anchor("".join(child.content for child in (tokens[i + 1].children or [])))
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    }


def _links(path: Path) -> list[str]:
    targets = []
    for token in _md.parse(path.read_text(encoding="utf-8")):
        for child in token.children or []:
            href = child.attrs.get("href") if child.type == "link_open" else None
            if isinstance(href, str) and not re.match(r"[a-z]+:", href):
                targets.append(unquote(href))  # markdown-it percent-encodes å, ä, ö
    return targets


@pytest.mark.parametrize("path", LINKING, ids=lambda p: p.name)
def test_every_link_from_the_guides_and_readme_reaches_an_existing_file_and_heading(path: Path) -> None:
    links = _links(path)
    assert links, "the file links to the other guides"
    broken = []
    for href in links:
        file_part, _, anchor = href.partition("#")
        target = (path.parent / file_part).resolve() if file_part else path
        if not target.exists():
            broken.append(f"{href}: filen finns inte")
        elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
            broken.append(f"{href}: rubriken finns inte")
    assert broken == []


@pytest.mark.parametrize("path", GUIDES, ids=lambda p: p.name)
def test_every_yaml_example_in_the_guides_is_valid_yaml(path: Path) -> None:
    blocks = [t.content for t in _md.parse(path.read_text(encoding="utf-8")) if t.type == "fence" and t.info == "yaml"]
    assert blocks, "the guide has YAML examples"
    for block in blocks:
        yaml.safe_load(block)


def test_the_readme_says_the_editors_guides_are_in_swedish_and_they_point_back() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for guide in GUIDES:
        assert re.search(rf"\(docs/{guide.name}\), in Swedish", readme)
        top = guide.read_text(encoding="utf-8")[:600]
        assert "(../README.md)" in top and "(operators.md)" in top
