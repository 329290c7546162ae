"""site.yaml's `patientnamnden` unit and the question the app asks before Lämna synpunkter och
klagomål (CONTRACT section 9): errors at file:line: key."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import load_content
from tests.sitegen.conftest import SITE, SYNPUNKTER, write_content

WITH_PAGES = SYNPUNKTER + """\
pages:
  - title: Vad hände?
    questions:
      - {id: description, type: textarea, label: Beskriv}
  - title: Patientnämnden
    when: {recipient: Patientnämnden}
    questions:
      - {id: records_consent, type: choice, label: Journal?, options: [Ja, Nej]}
"""


def errors_of(root: Path) -> list[str]:
    with pytest.raises(ContentInvalid) as raised:
        load_content(root)
    return [str(error).replace(str(root) + "/", "") for error in raised.value.errors]


def test_the_unit_and_its_name_are_read(tmp_path: Path) -> None:
    site = SITE + "patientnamnden: patientnamnden\npatientnamnden_name: Patientnämnden i Region Test\n"
    content = load_content(write_content(tmp_path / "c", site=site))
    assert (content.site.patientnamnden, content.site.patientnamnden_name) == (
        "patientnamnden", "Patientnämnden i Region Test"
    )
    assert load_content(write_content(tmp_path / "d")).site.patientnamnden is None  # optional


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("psykiatrin", "'psykiatrin' är en mottagnings namn (content/clinics/psykiatrin.yaml); Patientnämnden behöver ett eget"),
        ("personal", "'personal' är reserverat för e-tjänsternas egna sidor; välj ett annat namn"),
        ("Patientnämnden", "'Patientnämnden' är inget giltigt id: använd små bokstäver a–z, siffror och bindestreck"),
    ],
)
def test_the_unit_is_a_slug_of_its_own(tmp_path: Path, value: str, message: str) -> None:
    root = write_content(tmp_path / "c", site=SITE + f"patientnamnden: {value}\n")
    assert errors_of(root) == [f"site.yaml:6: patientnamnden: {message}"]


def test_the_pages_may_depend_on_the_apps_question(tmp_path: Path) -> None:
    content = load_content(write_content(tmp_path / "c", **{"eservices__lamna-synpunkter-och-klagomal": WITH_PAGES}))
    assert content.eservices["lamna-synpunkter-och-klagomal"].pages[1].when == {"recipient": "Patientnämnden"}


def test_the_pages_must_not_ask_the_apps_question_again(tmp_path: Path) -> None:
    again = WITH_PAGES.replace(
        "      - {id: description, type: textarea, label: Beskriv}\n",
        "      - {id: description, type: textarea, label: Beskriv}\n"
        "      - {id: recipient, type: choice, label: Till vem?, options: [Mottagningen, Patientnämnden]}\n",
    )
    root = write_content(tmp_path / "c", **{"eservices__lamna-synpunkter-och-klagomal": again})
    assert errors_of(root) == [
        "eservices/lamna-synpunkter-och-klagomal.yaml:8: pages[0].questions[1].id: 'recipient' ställer "
        "e-tjänsterna själva före formulärets sidor (Mottagningen eller Patientnämnden); ta bort frågan här eller byt id"
    ]


def test_another_e_service_cannot_depend_on_it(tmp_path: Path) -> None:
    other = WITH_PAGES.replace("name: Lämna synpunkter och klagomål", "name: Något annat")
    root = write_content(tmp_path / "c", **{"eservices__annat": other})
    assert errors_of(root) == [
        "eservices/annat.yaml:9: pages[1].when.recipient: 'recipient' är inte en fråga på en tidigare sida; "
        "when kan bara bero på tidigare svar"
    ]


def test_the_build_refuses_a_unit_named_like_a_mottagning(tmp_path: Path) -> None:
    from sitegen.build.run import build_site

    root = write_content(tmp_path / "c")
    out = tmp_path / "site"
    build_site(root, out)
    (root / "site.yaml").write_text(SITE + "patientnamnden: psykiatrin\n", encoding="utf-8")
    with pytest.raises(ContentInvalid) as raised:
        build_site(root, out)
    assert [error.key for error in raised.value.errors] == ["patientnamnden"]
