"""`sitegen build` and `sitegen check`: what they write, print and refuse."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.cli import main
from tests.sitegen.conftest import CLINIC, SITE, write_content

DEMO = Path(__file__).resolve().parents[2] / "content"


class Outline(HTMLParser):
    """The parts of a page the contract speaks of, collected without a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def outline(path: Path) -> Outline:
    parser = Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_build_writes_every_page(content_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "site"
    assert main(["build", "--content", str(content_dir), "--out", str(out)]) == 0
    written = sorted(str(path.relative_to(out)) for path in out.rglob("*") if path.is_file())
    css = [name for name in written if name.startswith("static/")]
    assert written == sorted(
        [
            "404.html",
            "index.html",
            ".search/index.sqlite3",
            "kommuner/testby/index.html",
            "robots.txt",
            "sitemap.xml",
            "tillganglighet/index.html",
            "mottagningar/psykiatrin/index.html",
            "mottagningar/vardcentralen-test/index.html",
            *css,
            # the forms app's content snapshot, in a folder no web server serves
            ".hittavard/content/manifest.json",
            ".hittavard/content/clinics/psykiatrin.json",
            ".hittavard/content/clinics/vardcentralen-test.json",
        ]
    )
    # The fingerprinted stylesheet and favicon (SVG, and ICO for browsers without SVG icons).
    assert len(css) == 3
    assert [re.sub(r"\.[0-9a-f]{10}\.", ".HASH.", name) for name in css] == [
        "static/favicon.HASH.ico",
        "static/favicon.HASH.svg",
        "static/style.HASH.css",
    ]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="icon" href="/{css[0]}" sizes="16x16 32x32 48x48">' in page
    assert f'<link rel="icon" href="/{css[1]}" type="image/svg+xml">' in page
    summary = capsys.readouterr().out.strip()
    assert re.fullmatch(r"Byggde 6 sidor \(2 mottagningar\) till .+/ på \d+\.\d\d s\.", summary)


def test_contact_page_links_and_markings(content_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    main(["build", "--content", str(content_dir), "--out", str(out)])
    page = outline(out / "mottagningar/vardcentralen-test/index.html")
    hrefs = [attrs["href"] for tag, attrs in page.tags if tag == "a" and "eservice-link" in (attrs.get("class") or "")]
    # kontakt (hand-added, then borrowed in file order), fornya, synpunkter; 3 visible, 1 more.
    assert hrefs == [
        "https://video.test.se/",
        "/e-tjanster/psykiatrin/skicka-meddelande/",
        "/e-tjanster/vardcentralen-test/begar-intyg/",
        "/e-tjanster/vardcentralen-test/lamna-synpunkter-och-klagomal/",
    ]
    text = " ".join(page.text)
    assert "E-tjänst utan koppling till 1177" in text
    assert "E-tjänst från Psykiatrin" in text
    assert "Information om Begär intyg" in text
    assert sum(1 for tag, _ in page.tags if tag == "h1") == 1
    assert not any(tag == "script" for tag, _ in page.tags)
    assert ("html", {"lang": "sv"}) in page.tags


def test_no_more_disclosure_when_everything_fits(content_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    main(["build", "--content", str(content_dir), "--out", str(out)])
    html = (out / "mottagningar/psykiatrin/index.html").read_text(encoding="utf-8")
    assert "Fler e-tjänster" not in html
    assert 'class="more"' not in html


def test_visible_eservices_zero_puts_every_eservice_under_fler_etjanster(tmp_path: Path) -> None:
    content = write_content(tmp_path / "content", site=SITE.replace("visible_eservices: 3", "visible_eservices: 0"))
    out = tmp_path / "site"
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    html = (out / "mottagningar/vardcentralen-test/index.html").read_text(encoding="utf-8")
    listed, hidden = html.split('<details class="more">')
    assert "eservice-link" not in listed
    assert "<summary>Fler e-tjänster (4)</summary>" in hidden
    assert hidden.count('class="eservice-link') == 4
    assert "inga e-tjänster" not in html


def test_failed_build_leaves_the_previous_site_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_content(tmp_path / "good")
    out = tmp_path / "site"
    assert main(["build", "--content", str(good), "--out", str(out)]) == 0
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    bad = write_content(
        tmp_path / "bad", **{"clinics__vardcentralen-test": CLINIC.replace("use: begar-intyg", "use: nej")}
    )
    assert main(["build", "--content", str(bad), "--out", str(out)]) == 1
    after = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    assert after == before
    err = capsys.readouterr().err
    assert "vardcentralen-test.yaml:9: eservices[1].use: 'nej' finns inte i e-tjänstkatalogen" in err
    assert err.strip().endswith("1 fel i innehållet; inget skrevs.")
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".site.")]


def test_failed_first_build_writes_nothing(tmp_path: Path) -> None:
    bad = write_content(tmp_path / "bad", site="name: X\n")
    out = tmp_path / "site"
    assert main(["build", "--content", str(bad), "--out", str(out)]) == 1
    assert not out.exists()


def test_check_validates_without_writing(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--content", str(content_dir)]) == 0
    assert not (tmp_path / "build").exists()
    assert "Innehållet är giltigt: 2 mottagningar, 3 e-tjänster" in capsys.readouterr().out


def test_demo_content_builds(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert main(["build", "--content", str(DEMO), "--out", str(out)]) == 0
    clinics = list((out / "mottagningar").iterdir())
    assert len(clinics) >= 12
    sizes = [len(outline(path / "index.html").tags) for path in clinics]
    assert min(sizes) > 0


def test_demo_has_a_clinic_with_more_than_ten_eservices(tmp_path: Path) -> None:
    from sitegen.content.loader import load_content

    content = load_content(DEMO)
    assert max(len(clinic.eservices) for clinic in content.clinics.values()) > 10


def test_sitemap_lists_every_page(content_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    main(["build", "--content", str(content_dir), "--out", str(out)])
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert re.findall(r"<loc>(.*?)</loc>", sitemap) == [
        "https://hittavard.test.se/",
        "https://hittavard.test.se/tillganglighet/",
        "https://hittavard.test.se/kommuner/testby/",
        "https://hittavard.test.se/mottagningar/psykiatrin/",
        "https://hittavard.test.se/mottagningar/vardcentralen-test/",
    ]
    assert "Sitemap: https://hittavard.test.se/sitemap.xml" in (out / "robots.txt").read_text()


def test_markdown_cannot_inject_html(tmp_path: Path) -> None:
    clinic = CLINIC + "about: |\n  Hej <script>alert(1)</script> <b>fet</b>\n"
    root = write_content(tmp_path / "c", **{"clinics__vardcentralen-test": clinic})
    out = tmp_path / "site"
    main(["build", "--content", str(root), "--out", str(out)])
    html = (out / "mottagningar/vardcentralen-test/index.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_front_page_lists_municipalities_in_swedish_order_with_their_pages(tmp_path: Path) -> None:
    extra = {
        f"clinics__{slug}": f"name: {name}\nmunicipality: {town}\n"
        for slug, name, town in [("a", "Ö-kliniken", "Östby"), ("b", "A-kliniken", "Åby"), ("c", "Ä-kliniken", "Älvby")]
    }
    root = write_content(tmp_path / "c", **extra)
    out = tmp_path / "site"
    main(["build", "--content", str(root), "--out", str(out)])
    html = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<li><a href="/(kommuner/[a-z0-9-]+/)">(.*?)</a> <span class="meta">\((\d+)\)</span>', html)
    assert links == [
        ("kommuner/testby/", "Testby", "2"),
        ("kommuner/aby/", "Åby", "1"),
        ("kommuner/alvby/", "Älvby", "1"),
        ("kommuner/ostby/", "Östby", "1"),
    ]
    assert "Ö-kliniken" not in html  # the front page lists municipalities, not mottagningar
    page = (out / "kommuner/ostby/index.html").read_text(encoding="utf-8")
    assert '<a href="/mottagningar/a/">Ö-kliniken</a>' in page and "<h1>Mottagningar i Östby</h1>" in page
