"""The demo file's mallar: a mall's kallelse must name a time type of its mottagning's tidbok.

One that did not was seeded, and "Använd mallen" then silently preselected no kallelse, so a text
promising a booking link went out without one unless the sender noticed. The file is refused at
start instead, naming the file, the mall and the key, like the demo file's other mistakes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from forms.app import create_app
from forms.booking.seed import load_tidbok
from forms.identity.demo_data import DEFAULT_DEMO_DATA, DemoDataInvalid, load_demo_data
from forms.staff.seed import check_mallar
from forms.store.db import MessageTemplate
from tests.forms.booking_support import config, write_booking_content, write_demo
from tests.forms.omvant_support import SPEC, STAFF, VC, engine_of


def _demo_with_mall(tmp_path: Path, clinic: str, kallelse: str) -> Path:
    """The omvänt demo file with one more mall (the third: mallar.2) carrying this kallelse."""
    demo = write_demo(tmp_path / "demo.yaml")
    mall = f'  - {{clinic: {clinic}, title: Kallelse till besök, text: "Boka med länken.", kallelse: {kallelse}}}\n'
    demo.write_text(demo.read_text(encoding="utf-8") + STAFF + mall, encoding="utf-8")
    return demo


def _start(tmp_path: Path, demo: Path) -> Flask:
    content = write_booking_content(tmp_path / "content")
    return create_app(config(content, demo, f"sqlite:///{tmp_path / 'store.sqlite3'}"))


def test_a_mall_inviting_to_a_type_its_mottagning_has_not_is_refused_naming_file_mall_and_key(tmp_path: Path) -> None:
    demo = _demo_with_mall(tmp_path, VC, "aterbesok")  # Specialisten's type, not Vårdcentralen Test's
    with pytest.raises(DemoDataInvalid) as refused:
        _start(tmp_path, demo)
    message = str(refused.value)
    assert message.startswith(f"{demo}: mallar.2.kallelse: ")
    assert f"”Kallelse till besök” ({VC})" in message and "”aterbesok”" in message
    assert "bvc, lakarbesok, provtagning, vaccination" in message  # what it could have been


def test_a_mall_with_a_kallelse_at_a_mottagning_without_a_tidbok_is_refused(tmp_path: Path) -> None:
    demo = _demo_with_mall(tmp_path, "ingen-tidbok", "vaccination")
    with pytest.raises(DemoDataInvalid, match=r"mallar\.2\.kallelse: .*mottagningen har ingen tidbok"):
        _start(tmp_path, demo)


def test_a_mall_inviting_to_its_mottagnings_own_type_is_seeded_with_it(tmp_path: Path) -> None:
    app = _start(tmp_path, _demo_with_mall(tmp_path, SPEC, "aterbesok"))
    with engine_of(app).connect() as connection:
        kept = connection.execute(
            select(MessageTemplate.kallelse).where(MessageTemplate.title == "Kallelse till besök")
        ).scalar_one()
    assert kept == "aterbesok"


def test_the_shipped_demo_files_mallar_invite_to_their_own_mottagnings_types() -> None:
    types = {entry.clinic: [t.id for t in entry.time_types] for entry in load_tidbok(DEFAULT_DEMO_DATA)}
    demo = load_demo_data(DEFAULT_DEMO_DATA)
    assert any(mall.kallelse for mall in demo.mallar)
    check_mallar(demo, lambda clinic: types.get(clinic, []), str(DEFAULT_DEMO_DATA))
