"""A mall carries its kallelse and "Be invånaren svara": a mall whose text promises a booking link
sends the link, and one still in such a mall's words is not sent without a kallelse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from flask import Flask
from sqlalchemy import func, select, update

from forms.staff.outgoing_views import LINK_PROMISED
from forms.store.db import Case, Kallelse, MessageTemplate
from tests.forms.booking_support import token
from tests.forms.omvant_support import (
    ADMIN,
    ADULT,
    NEW,
    SENDER,
    VC,
    P,
    engine_of,
    form_of,
    make_omvant_app,
    mall_id,
    reference_from,
    staff_client,
)

MALL_TEXT = "Hej! Det är dags för din kontroll."  # omvant_support's mall at VC


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Flask:
    """On SQLite and PostgreSQL (tests.forms.storage)."""
    return make_omvant_app(tmp_path, database_url)


def _carry(app: Flask, kallelse: str, asks_reply: bool = False) -> int:
    """Give VC's mall a kallelse (as its lokal administratör would); its id."""
    found = mall_id(app, VC)
    with engine_of(app).begin() as connection:
        connection.execute(
            update(MessageTemplate).where(MessageTemplate.id == found).values(kallelse=kallelse, asks_reply=asks_reply)
        )
    return found


def _selected(html: str, select_id: str) -> str | None:
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
    assert block, f"no select {select_id}"
    chosen = re.search(r'<option value="([^"]*)" selected>', block.group(0))
    return chosen.group(1) if chosen else None


def _count(app: Flask, model: type) -> int:
    with engine_of(app).connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def test_the_lokal_administrator_saves_a_mall_with_a_kallelse_and_a_reply_asked(app: Flask) -> None:
    admin = staff_client(app, ADMIN)
    form = admin.get(f"{P}/mallar/ny/")
    assert '<select id="kallelse" name="kallelse"' in form.text and "Vaccination" in form.text
    data = {"csrf_token": token(form.text), "title": "Vaccin", "text": "Boka med länken nedan.", "svar": "1"}
    unknown = admin.post(f"{P}/mallar/ny/", data=data | {"kallelse": "finns-inte"})
    assert unknown.status_code == 422
    assert "Välj en typ av tid som finns i mottagningens tidbok." in unknown.text
    assert 'aria-describedby="kallelse-hint kallelse-error" aria-invalid="true"' in unknown.text
    assert 'value="Vaccin"' in unknown.text and 'id="svar" name="svar" value="1" checked' in unknown.text
    saved = admin.post(f"{P}/mallar/ny/", data=data | {"kallelse": "vaccination"})
    assert saved.status_code == 303
    with engine_of(app).connect() as connection:
        row = connection.execute(select(MessageTemplate).where(MessageTemplate.title == "Vaccin")).one()
    assert (row.kallelse, row.asks_reply) == ("vaccination", True)
    listed = admin.get(f"{P}/mallar/")
    assert '<span class="meta">Kallelse: Vaccination · Ber invånaren svara</span>' in listed.text
    again = admin.get(f"{P}/mallar/{row.id}/")
    assert _selected(again.text, "kallelse") == "vaccination"
    assert 'id="svar" name="svar" value="1" checked' in again.text


def test_a_mall_whose_time_type_is_gone_from_the_tidbok_says_so_without_showing_its_id(app: Flask) -> None:
    _carry(app, "borttagen-typ")
    listed = staff_client(app, ADMIN).get(f"{P}/mallar/").text
    assert '<span class="meta">Kallelse: en typ av tid som inte längre finns i tidboken</span>' in listed
    assert "borttagen-typ" not in listed


GONE_HINT = "Mallens typ av tid finns inte längre i tidboken."


def test_a_malls_edit_page_says_its_time_type_is_gone_instead_of_resaving_without_it_unseen(app: Flask) -> None:
    """No option matches a type gone from the tidbok, so "Ingen kallelse" stands selected: the page
    says why next to the field (and not the type's id), so saving drops the kallelse knowingly."""
    found = _carry(app, "borttagen-typ")
    admin = staff_client(app, ADMIN)
    page = admin.get(f"{P}/mallar/{found}/").text
    assert f"<strong>{GONE_HINT}</strong> Välj en annan typ av tid eller ”Ingen kallelse”." in page
    assert 'aria-describedby="kallelse-hint kallelse-gone"' in page and 'id="kallelse-gone"' in page
    assert _selected(page, "kallelse") is None and "borttagen-typ" not in page
    _carry(app, "vaccination")
    kept = admin.get(f"{P}/mallar/{found}/").text
    assert GONE_HINT not in kept and _selected(kept, "kallelse") == "vaccination"
    assert 'aria-describedby="kallelse-hint"' in kept


def test_using_a_mall_preselects_its_kallelse_and_reply_and_the_message_carries_the_link(app: Flask) -> None:
    chosen = _carry(app, "vaccination", asks_reply=True)
    staff = staff_client(app, SENDER)
    page = staff.get(NEW)
    filled = staff.post(NEW, data=form_of(page.text) | {"personnummer": ADULT, "mall": str(chosen), "do": "mall"})
    assert filled.status_code == 200
    assert _selected(filled.text, "kallelse") == "vaccination"
    assert 'id="svar" name="svar" value="1" checked' in filled.text
    # Sending the page as it was filled sends the kallelse the mall promised.
    fields = dict(re.findall(r'<input type="(?:text|hidden)" [^>]*?name="([^"]+)" value="([^"]*)"', filled.text))
    sent = staff.post(NEW, data=fields | {
        "amne": "Dags för kontroll", "text": MALL_TEXT, "mall": str(chosen), "kallelse": "vaccination", "svar": "1",
        "do": "skicka",
    })
    assert sent.status_code == 303, sent.text
    reference_from(sent)
    assert _count(app, Kallelse) == 1


def test_a_message_in_a_kallelse_malls_words_is_not_sent_without_a_kallelse(app: Flask) -> None:
    chosen = _carry(app, "vaccination")
    staff = staff_client(app, SENDER)
    page = staff.get(NEW)
    typed = {"personnummer": ADULT, "amne": "Dags för kontroll", "text": MALL_TEXT, "mall": str(chosen), "do": "skicka"}
    refused = staff.post(NEW, data=form_of(page.text) | typed | {"kallelse": ""})
    assert refused.status_code == 422
    assert LINK_PROMISED in refused.text and 'href="#kallelse"' in refused.text
    assert 'aria-describedby="kallelse-hint kallelse-error" aria-invalid="true"' in refused.text
    assert f'value="{ADULT}"' in refused.text and MALL_TEXT in refused.text  # nothing typed is lost
    assert _count(app, Case) == 0
    # A sender who rewrote the text (no link promised) may send it without a kallelse.
    rewritten = staff.post(NEW, data=form_of(page.text) | typed | {"text": "Hej! Ring oss för en tid."})
    assert rewritten.status_code == 303
    assert _count(app, Case) == 1 and _count(app, Kallelse) == 0


def test_a_mall_without_a_kallelse_is_sent_without_one(app: Flask) -> None:
    staff = staff_client(app, SENDER)
    page = staff.get(NEW)
    sent = staff.post(NEW, data=form_of(page.text) | {
        "personnummer": ADULT, "amne": "Kontroll", "text": MALL_TEXT, "mall": str(mall_id(app, VC)), "do": "skicka",
    })
    assert sent.status_code == 303


def test_every_demo_mall_that_promises_a_booking_link_carries_a_kallelse_of_its_tidbok() -> None:
    demo = yaml.safe_load((Path(__file__).parents[2] / "forms/identity/demo_data.yaml").read_text(encoding="utf-8"))
    types = {entry["clinic"]: {t["id"] for t in entry["time_types"]} for entry in demo["tidbok"]}
    promising = [m for m in demo["mallar"] if "länken" in m["text"]]
    assert promising, "the demo has kallelse mallar"
    for mall in promising:
        assert mall.get("kallelse") in types.get(mall["clinic"], set()), mall["title"]
    assert {m["title"]: m.get("kallelse") for m in promising}["Kallelse till återbesök"] == "aterbesok"
