"""`python -m forms.notices run|once`: the outbox worker (docs/operators.md, "Notices").

`run` loops until SIGTERM or Ctrl-C, `once` sends what is due and exits (for cron or a systemd
timer). Several may run at once, on one machine or many: they never take the same notice.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from forms.notices.channels import Channel, SmsGatewayChannel, SmtpChannel
from forms.notices.settings import NoticeSettings
from forms.notices.worker import Worker
from forms.platform.clock import configured_clock
from forms.platform.settings import PREFIX, SettingsError
from forms.store.engine import default_database_url, make_engine


def channels(settings: NoticeSettings) -> dict[str, Channel]:
    found: dict[str, Channel] = {}
    if settings.smtp_host:
        found["email"] = SmtpChannel(settings)
    if settings.sms_url:
        found["sms"] = SmsGatewayChannel(settings)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m forms.notices", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="SQLAlchemy URL (default: FORMS_DATABASE_URL, else the instance SQLite file)")
    parser.add_argument("command", choices=["run", "once"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = NoticeSettings.read()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    test_login = (os.environ.get(PREFIX + "TEST_LOGIN") or "").strip().lower() in {"1", "true", "yes", "on", "ja"}
    found = channels(settings)
    if not found:
        print("Varken FORMS_SMTP_HOST eller FORMS_SMS_URL är satt: inget kan skickas.", file=sys.stderr)
        return 2
    engine = make_engine(args.url or default_database_url())
    worker = Worker(engine, found, configured_clock({}, test_login))
    try:
        if args.command == "once":
            done = worker.run_once()
            print(f"Skickade {done.sent}, misslyckades {done.failed}, utan adress {done.skipped}.")
            return 0
        stop = threading.Event()

        def finish(*_: Any) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        worker.run(settings.poll, stop)
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
