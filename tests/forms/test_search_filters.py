"""/sok/'s filters, counts and pages: filters are links that keep the query, an empty query with a
filter lists every match, the count is in the <title> and the <h1>, 20 results a page with
numbered page links."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sitegen.build.run import build_site
from tests.forms.search_support import app_for, copy_content, h1, hits, notes, title


@pytest.fixture
def client(search_app: Callable[..., Flask]) -> FlaskClient:
    return search_app().test_client()


def links(html: str, text_pattern: str) -> list[tuple[str, str]]:
    """(href, text) of links whose text matches."""
    found = re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)
    return [(unescape(href), unescape(text)) for href, text in found if re.search(text_pattern, unescape(text))]


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_count_in_title_and_heading(client: FlaskClient) -> None:
    html = client.get("/sok/?q=vardcentral").get_data(as_text=True)
    assert len(hits(html)) == 4
    assert title(html) == "4 mottagningar för ”vardcentral” – Hitta vård"
    assert h1(html) == "4 mottagningar för ”vardcentral”"
    one = client.get("/sok/?q=psykiatri").get_data(as_text=True)
    assert h1(one) == "1 mottagning för ”psykiatri”"


def test_municipality_filter_is_a_link_that_keeps_the_query(client: FlaskClient) -> None:
    html = client.get("/sok/?q=vardcentral").get_data(as_text=True)
    (href, text), = links(html, r"^Åsvik \(")
    assert text == "Åsvik (1)" and params(href) == {"q": ["vardcentral"], "kommun": ["Åsvik"]}
    filtered = client.get(href).get_data(as_text=True)
    assert hits(filtered) == ["asviks-vardcentral"]
    assert h1(filtered) == "1 mottagning för ”vardcentral” i Åsvik"
    (remove, _), = links(filtered, r"^Ta bort.*kommun")
    assert params(remove) == {"q": ["vardcentral"]}


def test_eservice_filter_by_name(client: FlaskClient) -> None:
    html = client.get("/sok/?q=vardcentral").get_data(as_text=True)
    (href, text), = links(html, r"^Begär intyg \(")
    assert text == "Begär intyg (2)" and params(href) == {"q": ["vardcentral"], "etjanst": ["Begär intyg"]}
    assert sorted(hits(client.get(href).get_data(as_text=True))) == ["asviks-vardcentral", "storgardens-vardcentral"]
    href = "/sok/?q=storkoping&etjanst=beg%C3%A4r+INTYG"  # the name in any letter case
    assert hits(client.get(href).get_data(as_text=True)) == ["storgardens-vardcentral"]


def test_open_now_filter_is_a_link_that_keeps_query_and_filters(client: FlaskClient) -> None:
    html = client.get("/sok/?q=a&kommun=%C3%85svik").get_data(as_text=True)
    (href, _), = links(html, r"^Visa bara de som har öppet nu")
    assert params(href) == {"q": ["a"], "kommun": ["Åsvik"], "oppet": ["nu"]}


def test_empty_query_with_a_filter_lists_every_match(client: FlaskClient) -> None:
    html = client.get("/sok/?kommun=storköping").get_data(as_text=True)  # the name in any letter case
    assert sorted(hits(html)) == [
        "barnmorskemottagningen-storkoping",
        "bvc-storgarden",
        "hudmottagningen-storkoping",
        "lung-och-somnmottagningen",
        "psykiatriska-mottagningen",
        "storgardens-vardcentral",
    ]
    assert h1(html) == "6 mottagningar i Storköping"
    by_service = client.get("/sok/?etjanst=F%C3%B6rnya+recept").get_data(as_text=True)
    assert len(hits(by_service)) == 9


def test_each_result_shows_address_municipality_open_state_and_eservice_count(client: FlaskClient) -> None:
    html = client.get("/sok/?q=ungdomsmottagningen").get_data(as_text=True)
    result = html.split('<li class="result">', 1)[1].split("</li>", 1)[0]
    assert 'href="/mottagningar/ungdomsmottagningen-asvik/">Ungdomsmottagningen Åsvik</a>' in result
    assert "Skolgatan 5, 234 51 Åsvik" in result
    assert "<span>Åsvik</span>" in result
    assert "Stängt nu" in result  # Tuesday 10.00; it opens at 12.00
    assert re.search(r"<span>\d+ e-tjänster</span>", result)


def test_no_hit_says_so_and_lists_the_municipalities(client: FlaskClient) -> None:
    html = client.get("/sok/?q=zzzzqqq").get_data(as_text=True)
    assert title(html) == "0 mottagningar för ”zzzzqqq” – Hitta vård"
    assert "Vi hittade inga mottagningar för ”zzzzqqq”." in html
    assert [text for _, text in links(html, r"^(Granberga|Sjölunda|Storköping|Åsvik)$")] == [
        "Granberga",
        "Sjölunda",
        "Storköping",
        "Åsvik",
    ]


def test_the_search_page_has_one_search_form_and_other_pages_the_headers(client: FlaskClient) -> None:
    # One search form a page (issue 20): /sok/ has its own, so the header's is left out there.
    html = client.get("/sok/").get_data(as_text=True)
    assert h1(html) == "Sök mottagning"
    assert html.count('role="search"') == 1 and 'class="header-search"' not in html
    login = client.get("/e-tjanster/logga-in/").get_data(as_text=True)
    assert '<form class="header-search" role="search" aria-label="Sök mottagning" method="get" action="/sok/">' in login
    assert '<label class="visually-hidden" for="sidhuvud-sok">Sök mottagning</label>' in login


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    """The demo content plus 45 mottagningar named Nummer 01 … 45 in Sidby."""
    folder = tmp_path_factory.mktemp("paged")
    content = copy_content(folder)
    for number in range(1, 46):
        (content / "clinics" / f"nummer-{number:02d}.yaml").write_text(
            f"name: Mottagningen Nummer {number:02d}\nmunicipality: Sidby\n"
            "opening_hours:\n  - {days: Måndag–fredag, hours: \"08.00–17.00\"}\n"
            "eservices:\n  - use: skicka-meddelande\n",
            encoding="utf-8",
        )
    site = folder / "build"
    build_site(content, site, workers=1)
    return app_for(site, content, folder / "cases.sqlite3").test_client()


def test_twenty_a_page_with_numbered_pages(paged: FlaskClient) -> None:
    first = paged.get("/sok/?q=nummer").get_data(as_text=True)
    assert hits(first) == [f"nummer-{n:02d}" for n in range(1, 21)]
    assert title(first) == "45 mottagningar för ”nummer” (sida 1 av 3) – Hitta vård"
    pagination = first.split('aria-label="Sidor med träffar"', 1)[1].split("</nav>", 1)[0]
    numbered = re.findall(r'<a href="([^"]+)"[^>]*><span class="visually-hidden">Sida </span>(\d+)</a>', pagination)
    assert [number for _, number in numbered] == ["1", "2", "3"]
    assert 'aria-current="page"><span class="visually-hidden">Sida </span>1<' in pagination
    second = paged.get(unescape(numbered[1][0])).get_data(as_text=True)
    assert hits(second) == [f"nummer-{n:02d}" for n in range(21, 41)]
    third = paged.get("/sok/?q=nummer&sida=3").get_data(as_text=True)
    assert hits(third) == [f"nummer-{n:02d}" for n in range(41, 46)]
    assert '<ol class="results" start="41">' in third


def test_pages_keep_the_filters(paged: FlaskClient) -> None:
    html = paged.get("/sok/?kommun=Sidby&oppet=nu").get_data(as_text=True)
    (href, _), = links(html, r"^Nästa")
    assert params(href) == {"kommun": ["Sidby"], "oppet": ["nu"], "sida": ["2"]}


def test_a_page_beyond_the_last_shows_the_last_and_says_so(paged: FlaskClient) -> None:
    html = paged.get("/sok/?q=nummer&sida=99999").get_data(as_text=True)
    assert hits(html) == [f"nummer-{n:02d}" for n in range(41, 46)]
    assert notes(html) == ["Det finns bara 3 sidor med träffar. Du ser sida 3."]
    zero = paged.get("/sok/?q=nummer&sida=0").get_data(as_text=True)
    assert notes(zero) == ["Det finns ingen sida ”0”. Du ser sida 1."] and len(hits(zero)) == 20


def test_many_pages_show_a_window_of_numbers(paged: FlaskClient, tmp_path: Path) -> None:
    html = paged.get("/sok/?q=nummer&sida=2").get_data(as_text=True)
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_many_matches_offer_the_common_eservices_uncounted(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sitegen.search.reader.COUNTED_ESERVICES", 2)
    html = client.get("/sok/?q=vardcentra").get_data(as_text=True)  # a query no other test asked (kept results)
    offered = [text for _, text in links(html, r"^(Förnya recept|Begär intyg)")]
    assert "Förnya recept" in offered  # the most common e-service of the whole index, no count
    (href, _), = links(html, r"^Förnya recept$")
    assert params(href) == {"q": ["vardcentra"], "etjanst": ["Förnya recept"]}
