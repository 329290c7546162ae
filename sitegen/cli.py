"""`sitegen build`, `check`, `serve` and `new`: the editor's commands.

Errors go to stderr, one per line as `file:line: key: message`, and the exit status is 1, so the
commands work the same for a person at a terminal and for CI.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sitegen.build.run import build_site
from sitegen.content.errors import ContentInvalid
from sitegen.site.theme import DEFAULT_THEME, Theme


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen", description="Hitta vård: kontaktsidor från content/.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="validera innehållet och bygg webbplatsen")
    build.add_argument("--content", type=Path, default=Path("content"), help="innehållsmappen (content)")
    build.add_argument("--out", type=Path, default=Path("build"), help="mappen som webbplatsen skrivs till (build)")
    build.add_argument("--theme", type=Path, default=DEFAULT_THEME, help="temamappen (themes/default)")
    build.add_argument("--full", action="store_true", help="bygg allt från början, utan cachen från förra bygget")
    build.add_argument("--workers", type=int, default=None, help="antal processer (alla kärnor)")
    build.add_argument(
        "--today",
        type=_date,
        default=None,
        help="bygg sidorna som de ser ut det här datumet, med dess meddelanden och avvikande öppettider "
        "(ÅÅÅÅ-MM-DD; annars SITEGEN_TODAY eller dagens datum)",
    )
    _add_editor_commands(commands)
    return parser


def _add_editor_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """check, serve and new: the commands an editor runs while writing (sitegen.editor.check, .preview, .scaffold)."""
    from sitegen.editor.links import DEFAULT_CACHE, DEFAULT_CACHE_HOURS, DEFAULT_TIMEOUT

    check = commands.add_parser(
        "check", help="kontrollera innehållet, riktlinjen och texterna (och länkarna) utan att skriva något"
    )
    check.add_argument("--content", type=Path, default=Path("content"), help="innehållsmappen (content)")
    check.add_argument("--strict", action="store_true", help="varningar räknas som fel")
    check.add_argument("--format", choices=["text", "json"], default="text", help="rapportens form (text)")
    check.add_argument("--links", action="store_true", help="kontrollera även länkarna i handtillagda e-tjänster")
    check.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="sekunder per länk (10)")
    check.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="länkcachen (.sitegen-cache/links.json)")
    check.add_argument(
        "--cache-hours", type=float, default=DEFAULT_CACHE_HOURS, help="hur länge ett länkresultat gäller (24)"
    )
    check.add_argument(
        "--today",
        type=_date,
        default=None,
        help="dagens datum för granskningsdatum, meddelanden och avvikande öppettider (ÅÅÅÅ-MM-DD)",
    )
    serve = commands.add_parser("serve", help="förhandsvisa webbplatsen lokalt; byggs om vid varje ändring")
    serve.add_argument("--content", type=Path, default=Path("content"), help="innehållsmappen (content)")
    serve.add_argument("--theme", type=Path, default=DEFAULT_THEME, help="temamappen (themes/default)")
    serve.add_argument("--port", type=int, default=8000, help="porten på 127.0.0.1 (8000; 0 väljer en ledig)")
    serve.add_argument("--out", type=Path, default=None, help="förhandsvisningens mapp (en tillfällig mapp)")
    new = commands.add_parser("new", help="skapa en ny fil att utgå från: new clinic <id> eller new eservice <id>")
    new.add_argument("kind", choices=["clinic", "eservice"], help="clinic (mottagning) eller eservice (e-tjänst)")
    new.add_argument("id", help="filnamnet utan .yaml: små bokstäver a–z, siffror och bindestreck")
    new.add_argument("--content", type=Path, default=Path("content"), help="innehållsmappen (content)")
    new.add_argument("--today", type=_date, default=None, help="datumet som skrivs i reviewed (ÅÅÅÅ-MM-DD)")


def _date(text: str) -> datetime.date:
    """A date argument, refused in Swedish like every other message."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' är inget datum; skriv det som 2026-01-31") from None


def _editor_command(args: argparse.Namespace) -> int:
    """Run check, serve or new; imported here so `sitegen build` does not load what it does not use."""
    if args.command == "check":
        from sitegen.editor.check import CheckOptions, run_check

        options = CheckOptions(
            content=args.content,
            strict=args.strict,
            format=args.format,
            links=args.links,
            timeout=args.timeout,
            cache=args.cache,
            cache_hours=args.cache_hours,
            today=args.today,
        )
        return run_check(options)
    if args.command == "serve":
        return _serve(args)
    from sitegen.editor.scaffold import ScaffoldError, create

    try:
        path = create(args.kind, args.id, args.content, today=args.today)
    except ScaffoldError as err:
        print(err, file=sys.stderr)
        return 1
    todo = "Byt ut det som börjar med 'Ange'" if args.kind == "clinic" else "Skriv namn, kategori, villkor och frågor"
    print(f"Skrev {path}. {todo}, spara och kör sitegen check.")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Preview until Ctrl+C; without --out into a temporary folder that is removed afterwards."""
    import tempfile

    from sitegen.editor.preview import Preview

    with tempfile.TemporaryDirectory(prefix="sitegen-preview-") as scratch:
        preview = Preview(args.content, args.out or Path(scratch) / "site", theme_dir=args.theme, port=args.port)
        try:
            preview.serve_until_interrupted()
        except OSError as err:
            print(
                f"Kan inte starta förhandsvisningen på port {args.port}: {err.strerror}; välj en annan med --port.",
                file=sys.stderr,
            )
            return 1
    return 0


def _report(invalid: ContentInvalid) -> None:
    for error in invalid.errors:
        print(error, file=sys.stderr)
    print(f"{len(invalid.errors)} fel i innehållet; inget skrevs.", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command in {"check", "serve", "new"}:
            return _editor_command(args)
        result = build_site(
            args.content, args.out, Theme(args.theme), workers=args.workers, full=args.full, today=args.today
        )
    except ContentInvalid as invalid:
        _report(invalid)
        return 1
    except ValueError as err:  # SITEGEN_TODAY that is no date
        print(err, file=sys.stderr)
        return 1
    summary = f"Byggde {result.pages} sidor ({result.clinics} mottagningar) till {args.out}/ på {result.seconds:.2f} s"
    if result.incremental:  # only what changed was written: say how much
        files = "fil" if result.written == 1 else "filer"
        summary += f"; {result.written} {files} skrevs, {result.removed} togs bort"
    print(summary + ".")
    if argv is None:
        # Run as a program (not called from Python): everything is written and closed, so skip
        # the interpreter's teardown of its modules and objects, a fifth of a one-page rebuild.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
