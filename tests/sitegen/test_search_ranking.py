"""How the index ranks: å, ä and ö are letters of their own, so exact spellings come first and
folded ones ("malmo" for Malmö) after; a hit in the name ranks above hits elsewhere; prefixes
match; a word inside a compound name is found after the word-start hits; user text is only ever
words."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from sitegen.build.run import build_site
from sitegen.search import compounds
from sitegen.search.opening import open_now
from sitegen.search.query import Query
from sitegen.search.reader import SqliteSearcher, match_expression
from tests.sitegen.conftest import write_content

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def clinic(name: str, town: str, street: str = "Byvägen 1", service: str = "Skicka meddelande") -> str:
    return (
        f"name: {name}\nmunicipality: {town}\n"
        f'address: {{street: {street}, postal_code: "123 45", city: {town}}}\n'
        "eservices:\n"
        f"  - {{name: {service}, url: 'https://x.test.se/', category: kontakt, info: Text.}}\n"
    )


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> SqliteSearcher:
    folder = tmp_path_factory.mktemp("ranking")
    root = write_content(
        folder / "content",
        clinics__malmo=clinic("Vårdcentralen Malmö", "Malmö"),
        clinics__malmoascii=clinic("Malmo hälsocentral", "Malmo"),
        clinics__hudkliniken=clinic("Hudkliniken", "Testby"),
        clinics__bildcentralen=clinic("Bildcentralen", "Testby", service="Skicka bild på hudförändring"),
        clinics__hudgatan=clinic("Sjukstugan", "Testby", street="Hudgatan 3"),
        clinics__angby=clinic("Ängby vårdcentral", "Ängby"),
        clinics__angbya=clinic("Angby tandvård", "Angby"),
        clinics__eksemlang=clinic("Mottagningen för eksem, psoriasis och andra besvär vid sjukhuset i stan", "Testby"),
        clinics__eksemtjanst=clinic("Sjukstuga Norr", "Testby", service="Eksem"),
        clinics__folktandvarden=clinic("Folktandvården Testby", "Testby"),
        clinics__centralkliniken=clinic("Centralkliniken", "Öby"),
    )
    out = folder / "site"
    build_site(root, out, workers=1)
    return SqliteSearcher(out, open_now)


def first(searcher: SqliteSearcher, text: str) -> list[str]:
    return [hit.slug for hit in searcher.search(Query(text=text, moment=NOW)).hits]


def test_exact_spelling_first_then_folded(searcher: SqliteSearcher) -> None:
    assert first(searcher, "malmö") == ["malmo", "malmoascii"]
    assert first(searcher, "malmo") == ["malmoascii", "malmo"]
    assert first(searcher, "ängby") == ["angby", "angbya"]
    assert first(searcher, "angby") == ["angbya", "angby"]


def test_a_name_hit_ranks_above_address_and_eservice_hits(searcher: SqliteSearcher) -> None:
    assert first(searcher, "hud") == ["hudkliniken", "hudgatan", "bildcentralen"]
    # A long name with the word still ranks above a one-word e-service that is only the word:
    # BM25 alone (equal weights) would put the short e-service first.
    assert first(searcher, "eksem") == ["eksemlang", "eksemtjanst"]


def test_prefixes_match(searcher: SqliteSearcher) -> None:
    assert first(searcher, "hälsoc") == ["malmoascii"]
    assert first(searcher, "halsoc") == ["malmoascii"]
    assert first(searcher, "vårdc mal") == ["malmo"]


def test_a_word_inside_a_compound_name_is_found_after_the_word_start_hits(searcher: SqliteSearcher) -> None:
    # "Angby tandvård" has the word; Folktandvården has it inside: found, and after.
    assert first(searcher, "tandvård") == ["angbya", "folktandvarden"]
    assert first(searcher, "tandvard") == ["angbya", "folktandvarden"]
    # Centralkliniken starts with it; the -central(en) names follow in Swedish alphabetical order.
    assert first(searcher, "central") == [
        "centralkliniken", "bildcentralen", "malmoascii", "malmo", "vardcentralen-test", "angby"
    ]


@pytest.mark.parametrize("rare", [compounds.RARE, 0])
def test_a_compound_word_combines_with_other_words_and_filters(
    searcher: SqliteSearcher, rare: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ways of finding the candidates: from the rarest word, and (every word common, as
    `rare = 0` makes them all here) from the names with a word only inside them."""
    monkeypatch.setattr(compounds, "RARE", rare)
    fresh = SqliteSearcher(searcher.path.parent.parent, open_now)  # nothing kept from the other run
    assert first(fresh, "tandvård testby") == ["folktandvarden"]  # inside the name, and the municipality
    assert first(fresh, "central malmö") == ["malmo", "malmoascii"]  # "malmö" exact before folded
    assert first(fresh, "tandvård 123") == ["angbya", "folktandvarden"]  # a word only inside, with a postal code
    assert first(fresh, "tandvård angby") == ["angbya"]  # all from word starts: not twice
    only_malmo = fresh.search(Query(text="central", municipality="Malmö", moment=NOW))
    assert [hit.slug for hit in only_malmo.hits] == ["malmo"] and only_malmo.total == 1


def test_words_shorter_than_four_letters_are_found_only_from_word_starts(searcher: SqliteSearcher) -> None:
    assert first(searcher, "ndv") == []  # inside "tandvård", but three letters inside a word match too much
    assert first(searcher, "ndvå") == ["angbya", "folktandvarden"]  # four letters: found inside
    assert first(searcher, "klin") == ["centralkliniken", "hudkliniken"]


def test_user_text_becomes_quoted_words_only() -> None:
    expression = match_expression('vård" OR NEAR(x*, 2) -y:z')
    assert expression is not None
    words = [part.split(" : ")[1].split(" OR ")[0] for part in expression.split(" AND ")]
    assert words == ['"vård"', '"or"', '"near"', '"x"', '"2"', '"y"', '"z"']
    assert match_expression('"*:-()') is None


def test_kept_results_are_forgotten_when_the_index_is_rebuilt(tmp_path: Path) -> None:
    root = write_content(tmp_path / "content", clinics__hudkliniken=clinic("Hudkliniken", "Testby"))
    out = tmp_path / "site"
    build_site(root, out, workers=1)
    searcher = SqliteSearcher(out, open_now)
    assert first(searcher, "hudkl") == ["hudkliniken"]
    (root / "clinics/hudkliniken.yaml").write_text(clinic("Ögonkliniken", "Testby"), encoding="utf-8")
    build_site(root, out, workers=1)
    assert first(searcher, "hudkl") == []  # the same query, a new index: asked again, not remembered
    assert first(searcher, "ögonkl") == ["hudkliniken"]
