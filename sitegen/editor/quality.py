"""Quality warnings: texts a citizen cannot use, and contact cards nobody has looked at for a year.

None of these stop a build: a hard-to-read villkor is still correct content. They are the things
seed 000 makes the mottagning responsible for ("informationen … ska vara tydlig") that a program
can only estimate, so they are warnings, and `sitegen check --strict` lets a region insist on them.

Readability is measured with LIX (läsbarhetsindex, Björnsson 1968), the measure Swedish writers and
1177's own guidance use: words per sentence plus the percentage of words longer than six letters.
Below 30 is very easy, 40 is plain everyday text, 50–60 is hard (official prose), above 60 very hard.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt

from sitegen.content.models import HandAddedEntry, LocalEntry, Quality
from sitegen.editor.findings import Finding

if TYPE_CHECKING:
    from sitegen.content.loader import Content

_PARSER = MarkdownIt("commonmark", {"html": False})
_WORD = re.compile(r"[^\W\d_]+")  # letters only: numbers and times are not words a reader parses
_SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)")
LONG_WORD = 6  # LIX counts words of more than six letters as long
LIX_MIN_WORDS = 10  # below this the score swings on a single word; too short to judge


@dataclass(frozen=True)
class Readability:
    """The counts LIX is made of, for a text as the citizen reads it."""

    words: int
    sentences: int
    long_words: int

    @property
    def lix(self) -> float:
        if self.words == 0:
            return 0.0
        return self.words / self.sentences + 100 * self.long_words / self.words


def plain_blocks(markdown: str) -> list[str]:
    """The text of each block (paragraph, list item, heading) of a Markdown text, markup removed.

    Blocks matter because a list item without a full stop still ends where the citizen stops
    reading, so it is a sentence of its own.
    """
    blocks: list[str] = []
    for token in _PARSER.parse(markdown):
        if token.type != "inline":
            continue
        parts: list[str] = []
        for child in token.children or []:
            if child.type in {"text", "code_inline"}:
                parts.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                parts.append(" ")
        blocks.append("".join(parts))
    return blocks


def readability(markdown: str) -> Readability:
    """Words, sentences and long words of a Markdown text.

    A sentence ends at '.', '!', '?' or ':' followed by a space or the end of the block, and at the
    end of every block; '08.00' and 't.ex' inside a word do not end one.
    """
    words = sentences = long_words = 0
    for block in plain_blocks(markdown):
        for sentence in _SENTENCE_END.split(block):
            found = _WORD.findall(sentence)
            if found:
                sentences += 1
                words += len(found)
                long_words += sum(1 for word in found if len(word) > LONG_WORD)
    return Readability(words, sentences, long_words)


def lix(markdown: str) -> float:
    """The LIX score of a Markdown text (0 for a text without words)."""
    return readability(markdown).lix


def text_problems(text: str, quality: Quality) -> Iterator[str]:
    """What is wrong with a villkor or info text as a citizen reads it: too long, too hard."""
    measured = readability(text)
    if measured.words > quality.max_words:
        yield (
            f"texten är lång ({measured.words} ord; gränsen är {quality.max_words}): "
            "skriv bara det viktigaste, gärna som en punktlista"
        )
    if measured.words >= LIX_MIN_WORDS and measured.lix > quality.lix_max:
        yield (
            f"texten är svårläst (LIX {measured.lix:.0f}; gränsen är {quality.lix_max}): "
            "skriv kortare meningar och byt långa ord mot kortare"
        )


def info_problem(info: str, quality: Quality) -> str | None:
    """Why a hand-added e-service's info text does not do its job, or None.

    The model already makes `info` required, but a space or a two-word 'Boka tid.' passes that and
    still tells the citizen nothing; seed 000 asks the text to say what the e-service is for and
    how it is used, which takes at least a short sentence.
    """
    words = readability(info).words
    if words == 0:
        return "informationstexten är tom: skriv vad e-tjänsten är till för och hur man använder den"
    if words < quality.min_info_words:
        return (
            f"informationstexten är för kort ({words} ord; minst {quality.min_info_words}): "
            "skriv vad e-tjänsten är till för och hur man använder den"
        )
    return None


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier, moved back to the month's last day where it does not exist."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _finding(content: Content, path: Path, loc: tuple[str | int, ...], message: str, rule: str) -> Finding:
    return Finding.from_error(content.locate(path, loc, message, "warning"), rule)


def quality_findings(content: Content, today: datetime.date) -> list[Finding]:
    """Every quality warning in the content; `today` is injected so tests do not age."""
    quality = content.site.quality
    findings: list[Finding] = []
    for eservice_id, eservice in content.eservices.items():
        path = content.eservice_path(eservice_id)
        for message in text_problems(eservice.villkor, quality):
            findings.append(_finding(content, path, ("villkor",), message, "quality.text"))
    cutoff = months_before(today, quality.review_months)
    for slug, clinic in content.clinics.items():
        path = content.clinic_path(slug)
        for index, entry in enumerate(clinic.eservices):
            if isinstance(entry, HandAddedEntry):
                problem = info_problem(entry.info, quality)
                if problem is not None:
                    findings.append(_finding(content, path, ("eservices", index, "info"), problem, "quality.info"))
                else:
                    for message in text_problems(entry.info, quality):
                        findings.append(_finding(content, path, ("eservices", index, "info"), message, "quality.text"))
            elif isinstance(entry, LocalEntry):
                for message in text_problems(entry.villkor, quality):
                    findings.append(_finding(content, path, ("eservices", index, "villkor"), message, "quality.text"))
        if clinic.reviewed is not None and clinic.reviewed < cutoff:
            findings.append(
                _finding(
                    content,
                    path,
                    ("reviewed",),
                    f"kontaktkortet granskades senast {clinic.reviewed.isoformat()}, för mer än "
                    f"{quality.review_months} månader sedan: kontrollera uppgifterna och skriv dagens datum",
                    "quality.reviewed",
                )
            )
        elif clinic.reviewed is not None and clinic.reviewed > today:
            findings.append(
                _finding(
                    content,
                    path,
                    ("reviewed",),
                    f"granskningsdatumet {clinic.reviewed.isoformat()} ligger i framtiden (skrivfel?)",
                    "quality.reviewed",
                )
            )
    return findings
