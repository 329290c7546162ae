"""`python -m forms.store`: migrate the case store (see docs/operators.md, "Storage").

A package's __main__ rather than `if __name__ == "__main__"` in forms.store.db itself: the app imports
forms.store.db, and running an imported module as a script would load its models twice.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from forms.store.engine import (
    alembic_config,
    current_revision,
    default_database_url,
    downgrade,
    head_revision,
    make_engine,
    upgrade,
    writing,
)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m forms.store upgrade|current|downgrade REV|revision -m MESSAGE` on the case store."""
    parser = argparse.ArgumentParser(prog="python -m forms.store", description=main.__doc__)
    parser.add_argument("--url", help="SQLAlchemy URL (default: FORMS_DATABASE_URL, else the instance SQLite file)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="bring the schema to the newest revision (safe to run at any time)")
    commands.add_parser("current", help="print the revision the database is at")
    down = commands.add_parser("downgrade", help="go back to an earlier revision (development only)")
    down.add_argument("revision")
    new = commands.add_parser("revision", help="write a new migration from the models (for developers)")
    new.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)

    url = args.url or default_database_url()
    engine = make_engine(url, migrate=False)
    try:
        if args.command == "upgrade":
            upgrade(engine)
            print(f"Databasen är på version {head_revision()}.")
        elif args.command == "current":
            with engine.connect() as connection:
                print(current_revision(connection) or "ingen (tom databas)")
        elif args.command == "downgrade":
            downgrade(engine, args.revision)
        else:
            from alembic import command

            upgrade(engine)
            with writing(engine).connect() as connection, connection.begin():
                command.revision(alembic_config(connection), message=args.message, autogenerate=True)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
