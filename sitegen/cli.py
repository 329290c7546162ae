"""`sitegen build` and `sitegen check`: the editor's commands.

Errors go to stderr, one per line as `file:line: key: message`, and the exit status is 1, so the
commands work the same for a person at a terminal and for CI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sitegen.build import build_site
from sitegen.errors import ContentInvalid
from sitegen.loader import Content, load_content
from sitegen.theme import DEFAULT_THEME, Theme


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen", description="Hitta vård: kontaktsidor från content/.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="validera innehållet och bygg webbplatsen")
    build.add_argument("--content", type=Path, default=Path("content"), help="innehållsmappen (content)")
    build.add_argument("--out", type=Path, default=Path("build"), help="mappen som webbplatsen skrivs till (build)")
    build.add_argument("--theme", type=Path, default=DEFAULT_THEME, help="temamappen (themes/default)")
    check = commands.add_parser("check", help="validera innehållet utan att skriva något")
    check.add_argument("--content", type=Path, default=Path("content"), help="innehållsmappen (content)")
    return parser


def _load_or_report(folder: Path) -> Content | None:
    try:
        return load_content(folder)
    except ContentInvalid as invalid:
        _report(invalid)
        return None


def _report(invalid: ContentInvalid) -> None:
    for error in invalid.errors:
        print(error, file=sys.stderr)
    print(f"{len(invalid.errors)} fel i innehållet; inget skrevs.", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        content = _load_or_report(args.content)
        if content is None:
            return 1
        print(
            f"Innehållet är giltigt: {len(content.clinics)} mottagningar, "
            f"{len(content.eservices)} e-tjänster i katalogen."
        )
        return 0
    try:
        result = build_site(args.content, args.out, Theme(args.theme))
    except ContentInvalid as invalid:
        _report(invalid)
        return 1
    print(f"Byggde {result.pages} sidor ({result.clinics} mottagningar) till {args.out}/ på {result.seconds:.2f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
