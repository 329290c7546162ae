"""`sitegen check`: every check on the content, one report.

The content errors come first in importance (the site cannot be built), then the region's
guideline, the quality warnings and, when asked for, the links of hand-added e-services. They are
reported together so an editor fixes a file in one pass, and with one exit status so CI can gate
on it: errors fail, warnings fail only with `--strict`.
"""

from __future__ import annotations

import datetime
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from sitegen.content.dated import passed_notes
from sitegen.content.dated import today as build_today
from sitegen.content.errors import ContentInvalid
from sitegen.content.loader import Content, load_content
from sitegen.editor.findings import Finding, passes, summary, to_json
from sitegen.editor.guideline import guideline_findings
from sitegen.editor.links import DEFAULT_CACHE, DEFAULT_CACHE_HOURS, DEFAULT_TIMEOUT, LinkCache, LinkRun, link_findings
from sitegen.editor.quality import quality_findings


@dataclass(frozen=True)
class CheckOptions:
    """What `sitegen check` was asked to do (the command line, as data)."""

    content: Path = Path("content")
    strict: bool = False
    format: Literal["text", "json"] = "text"
    links: bool = False
    timeout: float = DEFAULT_TIMEOUT
    cache: Path = DEFAULT_CACHE
    cache_hours: float = DEFAULT_CACHE_HOURS
    today: datetime.date | None = None


@dataclass(frozen=True)
class CheckReport:
    """The findings, plus what the summary needs: the loaded content and the link run, if any."""

    findings: list[Finding]
    content: Content | None
    links: LinkRun | None


def collect(options: CheckOptions) -> CheckReport:
    """Run every check the options ask for; content that does not load stops the later checks."""
    try:
        content = load_content(options.content)
    except ContentInvalid as invalid:
        return CheckReport([Finding.from_error(error, "content") for error in invalid.errors], None, None)
    findings = guideline_findings(content)
    today = build_today(options.today)
    findings.extend(quality_findings(content, today))
    findings.extend(dated_findings(content, today))
    run = None
    if options.links:
        cache = LinkCache(options.cache, options.cache_hours * 3600)
        link_problems, run = link_findings(content, options.timeout, cache)
        findings.extend(link_problems)
    return CheckReport(sorted(findings), content, run)


def dated_findings(content: Content, today: datetime.date) -> list[Finding]:
    """Notes for notices and avvikande öppettider whose dates have passed (never failures)."""
    findings = []
    for slug, clinic in content.clinics.items():
        path = content.clinic_path(slug)
        for loc, message in passed_notes(clinic, today):
            findings.append(Finding.from_error(content.locate(path, loc, message, "note"), "dated"))
    return findings


def run_check(options: CheckOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print the report (text: findings on stderr, summary on stdout; json: stdout) and return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    report = collect(options)
    if options.format == "json":
        print(to_json(report.findings, options.strict), file=out)
        return 0 if passes(report.findings, options.strict) else 1
    for finding in report.findings:
        print(finding, file=err)
    if report.content is None:
        print("Riktlinjen, kvaliteten och länkarna kontrolleras när felen ovan är rättade.", file=err)
    else:
        print(
            f"Innehållet är giltigt: {len(report.content.clinics)} mottagningar, "
            f"{len(report.content.eservices)} e-tjänster i katalogen.",
            file=out,
        )
    if report.links is not None:
        checked = len(report.links.results)
        print(f"Länkar: {checked} adresser kontrollerade, {report.links.cached} av dem från cachen.", file=out)
    print(summary(report.findings, options.strict), file=out)
    return 0 if passes(report.findings, options.strict) else 1
