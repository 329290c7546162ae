"""Content may not take a name the forms app serves a page of its own under (CONTRACT section 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from sitegen.content.reserved import RESERVED


def test_every_page_of_the_app_beside_the_eservices_is_a_reserved_name(app: Flask) -> None:
    prefix = app.extensions["hittavard_forms"].prefix
    own = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix):
            first = rule.rule[len(prefix) :].split("/", 1)[0]
            if first and not first.startswith("<"):
                own.add(first)
    assert own, "the app serves pages of its own under its prefix"
    assert own <= RESERVED, sorted(own - RESERVED)


def test_a_mottagning_file_named_bokade_tider_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    """`{forms_url}bokade-tider/` lists every booked time; a mottagning by that name would be shadowed."""
    from sitegen.content.errors import ContentInvalid
    from sitegen.content.loader import load_content
    from tests.sitegen.conftest import CLINIC, write_content

    root = write_content(tmp_path / "content", **{"clinics__bokade-tider": CLINIC})
    with pytest.raises(ContentInvalid) as raised:
        load_content(root)
    assert any("'bokade-tider' är reserverat" in error.message for error in raised.value.errors)
