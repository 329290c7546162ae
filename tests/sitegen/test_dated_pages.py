"""Notices and avvikande öppettider appear and disappear on their dates, and the incremental build
re-renders exactly the pages whose dated content changed, byte for byte as a full build that day."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest

from sitegen.build.run import build_site
from sitegen.cli import main
from sitegen.content.loader import load_content
from sitegen.content.models import OpeningHours
from sitegen.content.snapshot import content_hashes, snapshot_files
from sitegen.site.dates import schema_opening_hours
from sitegen.site.render import render_site
from sitegen.site.theme import Theme
from tests.sitegen.conftest import CLINIC, OTHER, write_content

DATED = CLINIC.replace("info: Videobesök i appen.", "info: Boka och genomför ett videobesök i appen.") + """\
opening_exceptions:
  - {date: 2026-12-24, hours: Stängt, note: Julafton}
  - {date: 2026-12-30, hours: "08.00–12.00, 13.00–15.00"}
notices:
  - title: Vi har flyttat
    text: |
      Från den 1 februari finns vi på **Storgatan 5**.
    from: 2027-01-15
    until: 2027-02-28
"""
PAGE = "mottagningar/vardcentralen-test/index.html"
OTHER_PAGE = "mottagningar/psykiatrin/index.html"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def tree(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content", **{"clinics__vardcentralen-test": DATED})


def page_on(root: Path, date: str) -> str:
    return render_site(load_content(root), Theme(), day(date))[PAGE].decode()


def test_a_notice_shows_from_its_first_to_its_last_day_inclusive(root: Path) -> None:
    assert "Vi har flyttat" not in page_on(root, "2027-01-14")
    first = page_on(root, "2027-01-15")
    assert "Vi har flyttat" in first and "<strong>Storgatan 5</strong>" in first
    # At the top: before the contact details.
    assert first.index("Vi har flyttat") < first.index('id="kontakt"')
    assert "Vi har flyttat" in page_on(root, "2027-02-28")
    assert "Vi har flyttat" not in page_on(root, "2027-03-01")


def test_an_exception_shows_in_the_coming_weeks_and_not_after_its_date(root: Path) -> None:
    assert "Julafton" not in page_on(root, "2026-11-01")  # more than six weeks ahead
    shown = page_on(root, "2026-12-01")
    assert '<time datetime="2026-12-24">Torsdag 24 december</time>: Stängt (Julafton)' in shown
    assert '<time datetime="2026-12-30">Onsdag 30 december</time>: 08.00–12.00, 13.00–15.00' in shown
    on_the_day = page_on(root, "2026-12-24")
    assert "Julafton" in on_the_day
    after = page_on(root, "2026-12-25")
    assert "Julafton" not in after and "30 december" in after
    assert "Avvikande öppettider" not in page_on(root, "2026-12-31")


def microdata(html: str) -> list[dict[str, str]]:
    """The specialOpeningHoursSpecification items of a page, each as {property: content}."""
    items = re.findall(
        r'<span itemprop="specialOpeningHoursSpecification" itemscope '
        r'itemtype="https://schema.org/OpeningHoursSpecification">(.*?)</span>',
        html,
    )
    return [dict(re.findall(r'<meta itemprop="(\w+)" content="([^"]*)">', item)) for item in items]


def test_microdata_give_the_exceptions_as_special_opening_hours(root: Path) -> None:
    html = page_on(root, "2026-12-20")
    assert microdata(html) == [
        {"validFrom": "2026-12-24", "validThrough": "2026-12-24", "opens": "00:00", "closes": "00:00"},
        {"validFrom": "2026-12-30", "validThrough": "2026-12-30", "opens": "08:00", "closes": "12:00"},
        {"validFrom": "2026-12-30", "validThrough": "2026-12-30", "opens": "13:00", "closes": "15:00"},
    ]
    assert '<meta itemprop="openingHours" content="Mo-Fr 08:00-17:00">' in html
    assert microdata(page_on(root, "2026-12-25")) == [
        {"validFrom": "2026-12-30", "validThrough": "2026-12-30", "opens": "08:00", "closes": "12:00"},
        {"validFrom": "2026-12-30", "validThrough": "2026-12-30", "opens": "13:00", "closes": "15:00"},
    ]


def test_phone_is_shown_grouped_and_linked_in_e164(tmp_path: Path) -> None:
    root = write_content(
        tmp_path / "content",
        **{"clinics__vardcentralen-test": CLINIC.replace('phone: "010-123 45 67"', 'phone: "0102421000"')},
    )
    html = page_on(root, "2026-12-01")
    assert '<a href="tel:+46102421000" itemprop="telephone">010-242 10 00</a>' in html


@pytest.mark.parametrize(
    ("first", "then", "changed"),
    [
        ("2026-11-01", "2026-11-02", False),  # nothing dated comes or goes
        ("2026-11-12", "2026-11-13", True),  # 13 November: Julafton is six weeks ahead and appears
        ("2026-12-24", "2026-12-25", True),  # Julafton has passed
        ("2027-01-14", "2027-01-15", True),  # the notice appears
        ("2027-02-28", "2027-03-01", True),  # the notice is gone
        ("2027-03-01", "2026-12-01", True),  # the clock set back (a test, a restored backup)
    ],
)
def test_the_incremental_build_rerenders_exactly_the_pages_whose_dates_moved(
    root: Path, tmp_path: Path, first: str, then: str, changed: bool
) -> None:
    out = tmp_path / "site"
    build_site(root, out, today=day(first))
    before = tree(out)
    result = build_site(root, out, today=day(then))
    after = tree(out)
    assert result.incremental
    assert result.rendered == (1 if changed else 0)
    assert {path for path in after if after[path] != before.get(path)} == ({PAGE} if changed else set())
    assert result.written == (1 if changed else 0)
    # Byte for byte the site a full build gives that day.
    content = load_content(root)
    expected = render_site(content, Theme(), day(then))
    expected.update(snapshot_files(content, content_hashes(root)))  # the forms app's snapshot
    assert after == expected
    full = tmp_path / "full"
    build_site(root, full, today=day(then), full=True)
    assert tree(full) == after


def test_sitegen_today_sets_the_build_s_date(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_TODAY", "2027-01-20")
    out = tmp_path / "site"
    assert main(["build", "--content", str(root), "--out", str(out)]) == 0
    assert "Vi har flyttat" in (out / PAGE).read_text(encoding="utf-8")
    assert main(["build", "--content", str(root), "--out", str(out), "--today", "2027-03-01"]) == 0
    assert "Vi har flyttat" not in (out / PAGE).read_text(encoding="utf-8")
    monkeypatch.setenv("SITEGEN_TODAY", "i morgon")
    assert main(["build", "--content", str(root), "--out", str(out)]) == 1


def test_passed_dates_are_notes_that_strict_does_not_fail_on(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--content", str(root), "--strict", "--today", "2027-03-01"]) == 0
    captured = capsys.readouterr()
    file = root / "clinics" / "vardcentralen-test.yaml"
    assert captured.err.splitlines() == [
        f"{file}:19: opening_exceptions[0].date: notering: 2026-12-24 har passerat och visas inte längre; "
        "du kan ta bort raden",
        f"{file}:20: opening_exceptions[1].date: notering: 2026-12-30 har passerat och visas inte längre; "
        "du kan ta bort raden",
        f"{file}:26: notices[0].until: notering: meddelandet 'Vi har flyttat' visades till och med 2027-02-28 "
        "och visas inte längre; du kan ta bort det",
    ]
    assert "Kontrollen gick igenom: 0 fel och 0 varningar (3 noteringar, som inte räknas)." in captured.out
    assert main(["check", "--content", str(root), "--strict", "--today", "2027-03-01", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], report["errors"], report["warnings"], report["notes"]) == (True, 0, 0, 3)
    assert {finding["level"] for finding in report["findings"]} == {"note"}
    # The day the notice ends, nothing has passed yet but the exceptions.
    main(["check", "--content", str(root), "--today", "2027-02-28"])
    assert "notices" not in capsys.readouterr().err


def test_a_page_without_dated_content_is_not_rerendered_by_date(tmp_path: Path) -> None:
    root = write_content(tmp_path / "content", clinics__psykiatrin=OTHER)
    out = tmp_path / "site"
    build_site(root, out, today=day("2026-01-01"))
    result = build_site(root, out, today=day("2030-01-01"))
    assert result.incremental and result.rendered == 0 and result.written == 0
    assert OTHER_PAGE in tree(out)


@pytest.mark.parametrize(
    ("days", "hours", "values"),
    [
        ("Måndag–fredag", "08.00–17.00", ["Mo-Fr 08:00-17:00"]),
        ("Måndag, onsdag och fredag", "08.00–12.00, 13.00–16.00", ["Mo,We,Fr 08:00-12:00", "Mo,We,Fr 13:00-16:00"]),
        ("Lördag", "9:00-13:00", ["Sa 09:00-13:00"]),
        ("Söndag–tisdag", "10.00–14.00", ["Mo-Tu,Su 10:00-14:00"]),
        ("Lördag–söndag", "Stängt", []),
    ],
)
def test_every_readable_line_of_opening_hours_is_in_the_schema_org_data(
    days: str, hours: str, values: list[str]
) -> None:
    assert schema_opening_hours(OpeningHours(days=days, hours=hours)) == values
