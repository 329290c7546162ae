"""`sitegen build` and `sitegen check`: the editor's commands.

Errors go to stderr, one per line as `file:line: key: message`, and the exit status is 1, so the
commands work the same for a person at a terminal and for CI.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sitegen.errors import ContentInvalid
from sitegen.loader import Content, load_content
from sitegen.publish import publish
from sitegen.render import render_site
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
        for error in invalid.errors:
            print(error, file=sys.stderr)
        count = len(invalid.errors)
        print(
            f"{count} fel i innehållet; inget skrevs." if count != 1 else "1 fel i innehållet; inget skrevs.",
            file=sys.stderr,
        )
        return None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    content = _load_or_report(args.content)
    if content is None:
        return 1
    if args.command == "check":
        print(
            f"Innehållet är giltigt: {len(content.clinics)} mottagningar, "
            f"{len(content.eservices)} e-tjänster i katalogen."
        )
        return 0
    files = render_site(content, Theme(args.theme))
    publish(files, args.out)
    pages = sum(1 for name in files if name.endswith(".html"))
    seconds = time.perf_counter() - started
    print(f"Byggde {pages} sidor ({len(content.clinics)} mottagningar) till {args.out}/ på {seconds:.2f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
