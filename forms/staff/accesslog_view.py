"""The access log as the granskare reads it: names beside HSA-ids, Swedish words, readable times.

The rows are stored as the code writes them (slugs of roles and actions, HSA-ids, UTC); a granskare
scanning hundreds of rows needs who, as what, did what, when, in words. On the page, consecutive
reads of one case by one person on one day become one line ("Läste ärende, 3 gånger", with the
times from–to), since a handler who opens a case ten times while writing an answer is one thing
to check, not ten. The CSV keeps every row (an export is the record), in the form Swedish Excel
opens as columns: `;`-separated, a UTF-8 byte order mark, Swedish headers and words.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from forms.staff.accesslog import ACTION_NAMES
from forms.staff.rules import ROLE_NAMES
from forms.staff.wording import day_words, moment_words
from forms.store.db import AccessLogEntry

HSA_ID = re.compile(r"\bSE[0-9A-Z]+-[0-9A-Z]+\b")
# What a change that was stopped (someone else changed the case first) was about to do.
CONFLICT_WHAT = {"fordela": "fördelning", "delsvar": "delsvar", "svara": "svar", "anteckning": "intern anteckning",
                 "avsluta": "avslut"}
BOM = "\ufeff"
CSV_HEADER = ["Tid", "HSA-id", "Namn", "Roll", "Mottagning", "Personnummer", "Ärende", "Handling", "Detaljer"]


def local(moment: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
    """A stored (naive UTC) time in Swedish local time."""
    return moment.replace(tzinfo=datetime.UTC).astimezone(zone)


def role_words(text: str) -> str:
    """"arendehanterare,arendemottagare" → "Ärendehanterare, Ärendemottagare"; "" → "–"."""
    slugs = [slug.strip() for slug in re.split(r"[,\s]+", text) if slug.strip() and slug.strip() != "-"]
    return ", ".join(ROLE_NAMES.get(slug, slug) for slug in slugs) or "–"


def who(hsa_id: str, names: Mapping[str, str]) -> str:
    name = names.get(hsa_id)
    return f"{name} ({hsa_id})" if name else hsa_id


def ids_in(rows: Collection[AccessLogEntry]) -> set[str]:
    """Every HSA-id a row names: whoever acted, and whom a distribution or role change was about."""
    found = {row.hsa_id for row in rows}
    for row in rows:
        if row.action in ("fordela", "role_change", "role_change_refused", "log_search", "log_export"):
            found.update(HSA_ID.findall(row.detail))
    return found


def detail_words(row: AccessLogEntry, names: Mapping[str, str]) -> str:
    """The row's detail in Swedish words, with names beside the HSA-ids it mentions."""
    detail = row.detail or ""
    if row.action == "list":
        found = re.match(r"^sida (\d+); visade: ?(.*)$", detail)
        return f"sida {found.group(1)}, {len(found.group(2).split())} ärenden" if found else ""
    if row.action in ("log_search", "log_export"):
        searched = detail.removeprefix("hsa_id=").strip()
        return f"sökte på {who(searched, names)}" if searched else ""
    if row.action == "fordela":
        return HSA_ID.sub(lambda m: who(m.group(0), names), detail)
    if row.action == "role_change":
        found = re.match(r"^(\S+): (.*) -> (.*)$", detail)
        if found:
            before, after = (role_words(part) if part != "-" else "inga roller" for part in found.group(2, 3))
            return f"{who(found.group(1), names)}: {before} → {after}"
    if row.action == "role_change_refused":
        found = re.match(r"^(\S+): (.*?): (.*)$", detail)
        if found:
            asked = role_words(found.group(2)) if found.group(2) != "-" else "inga roller"
            return f"{who(found.group(1), names)}: {asked}. {found.group(3)}"
    if row.action == "conflict":
        return f"gällde {CONFLICT_WHAT.get(detail, detail)}" if detail else ""
    if row.action == "refused":
        return f"sidan {detail}" if detail else ""
    if row.action == "tidbok_day":
        found = re.match(r"^([0-9]{4})-([0-9]{2})-([0-9]{2}): ?(.*)$", detail)
        if found:
            day = datetime.date(*(int(part) for part in found.group(1, 2, 3)))
            return day_words(day) + (f": {found.group(4)}" if found.group(4) else "")
    return detail


@dataclass
class Line:
    """One line of the log page: one row, or consecutive reads of one case by one person on one day."""

    newest: AccessLogEntry
    at: datetime.datetime  # local, the newest
    earliest: datetime.datetime  # local, the oldest of the group
    count: int
    name: str
    roles: str
    action: str
    detail: str

    @property
    def time(self) -> str:
        if self.count == 1 or f"{self.earliest:%H.%M}" == f"{self.at:%H.%M}":
            return moment_words(self.at)
        return f"{moment_words(self.earliest)}–{self.at:%H.%M}"

    @property
    def what(self) -> str:
        return self.action if self.count == 1 else f"{self.action}, {self.count} gånger"


def _same_read(line: Line, row: AccessLogEntry, at: datetime.datetime) -> bool:
    first = line.newest
    return (
        row.action == "read" == first.action
        and (row.hsa_id, row.role, row.clinic, row.case_reference, row.personnummer)
        == (first.hsa_id, first.role, first.clinic, first.case_reference, first.personnummer)
        and at.date() == line.at.date()
    )


def lines(rows: list[AccessLogEntry], names: Mapping[str, str], zone: datetime.tzinfo) -> list[Line]:
    """The rows (newest first) as the page shows them, consecutive reads grouped."""
    shown: list[Line] = []
    for row in rows:
        at = local(row.at, zone)
        if shown and _same_read(shown[-1], row, at):
            shown[-1].count += 1
            shown[-1].earliest = at
            continue
        shown.append(Line(
            newest=row, at=at, earliest=at, count=1, name=names.get(row.hsa_id, "–"), roles=role_words(row.role),
            action=ACTION_NAMES.get(row.action, row.action), detail=detail_words(row, names),
        ))
    return shown


def _cell(text: str) -> str:
    # A cell starting with = + - @ would be a formula in a spreadsheet: quote it as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_csv(
    rows: list[AccessLogEntry], names: Mapping[str, str], clinic_names: Mapping[str, str], zone: datetime.tzinfo
) -> str:
    """Every row (never grouped), with a BOM, `;`-separated, Swedish headers, words and local times.

    The time is "2026-12-07 02:15:00", which Swedish Excel reads as a date and time; the detail keeps
    everything the row recorded (a list's cases and personnummer too), in words where it has them.
    """
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        at = local(row.at, zone).strftime("%Y-%m-%d %H:%M:%S")
        detail = row.detail if row.action == "list" else detail_words(row, names)
        cells = [row.hsa_id, names.get(row.hsa_id, ""), role_words(row.role) if row.role else "",
                 clinic_names.get(row.clinic, row.clinic) if row.clinic else "", row.personnummer or "",
                 row.case_reference or "", ACTION_NAMES.get(row.action, row.action), detail]
        writer.writerow([at, *(_cell(c) for c in cells)])
    return out.getvalue()
