"""What a cold build of 10,000 mottagningar must not spend its time on (issue 22, target 4).

Each test pins one saving measured in docs/performance.md ("The cold build, issue 22"): the saving
is invisible in the output (the site stays byte-identical), so without these a refactor could undo
it unnoticed.
"""

from __future__ import annotations

import os
from pathlib import Path

import phonenumbers
import pytest
from pydantic import BaseModel

from sitegen.content import models
from sitegen.content.cardvalues import phone_e164
from sitegen.content.loader import load_content
from sitegen.site.render import SiteRenderer
from sitegen.site.theme import Theme
from sitegen.site.view import contact_page
from tests.sitegen.conftest import CLINIC, write_content

SLUG = "vardcentralen-test"


def _content_with_phone(tmp_path: Path, phone: str) -> Path:
    return write_content(
        tmp_path / "content", **{f"clinics__{SLUG}": CLINIC.replace('phone: "010-123 45 67"', f'phone: "{phone}"')}
    )


@pytest.mark.parametrize(
    ("written", "href"),
    [("0101234567", "tel:+46101234567"), ("010-123 45 67", "tel:+46101234567"), ("+45 33 12 34 56", "tel:+4533123456")],
)
def test_the_tel_link_reuses_the_number_validation_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str, href: str
) -> None:
    """Parsing a number costs about 70 µs: validation parses it, the page's link must not again."""
    content = load_content(_content_with_phone(tmp_path, written))

    def no_parse(*_: object, **__: object) -> None:
        raise AssertionError("the phone number was parsed a second time")

    monkeypatch.setattr(phonenumbers, "parse", no_parse)
    assert contact_page(content, SLUG).phone_href == href


def test_a_number_not_seen_by_validation_still_gets_its_e164() -> None:
    """A number from elsewhere (the forms app, a test) is parsed as before."""
    assert phone_e164("036-10 10 10") == "+4636101010"


def test_rendering_contact_pages_checks_no_template_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Jinja's auto_reload stats every extended and included template per page (13 per contact page)."""
    content = load_content(write_content(tmp_path / "content"))
    renderer = SiteRenderer(content.site, Theme())
    page = contact_page(content, SLUG)
    first = renderer.contact_page(page)  # loads base.html and the includes, once

    def no_stat(path: object) -> float:
        raise AssertionError(f"a template file was checked while rendering: {path}")

    monkeypatch.setattr(os.path, "getmtime", no_stat)
    assert renderer.contact_page(page) == first


def _content_models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == models.__name__
    ]


def test_no_content_model_has_a_mutable_default() -> None:
    """pydantic deep-copies a mutable default (`[]`, `{}`, `Offers()`) for every file that omits
    it: about seven per clinic file; Field(default_factory=...) makes a new one for nothing."""
    mutable = [
        f"{model.__name__}.{name}"
        for model in _content_models()
        for name, info in model.model_fields.items()
        if isinstance(info.default, (list, dict, set, BaseModel))
    ]
    assert _content_models() and mutable == []
