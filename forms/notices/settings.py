"""The notice worker's settings, from FORMS_* environment variables (docs/operators.md, "Notices").

| variable | meaning | default |
|---|---|---|
| FORMS_SMTP_HOST | the mail server; unset: e-mail notices wait in the outbox | none |
| FORMS_SMTP_PORT | its port | 587 (465 with FORMS_SMTP_TLS=tls) |
| FORMS_SMTP_TLS | `starttls`, `tls` (implicit TLS) or `none` (only on localhost) | starttls |
| FORMS_SMTP_USER, FORMS_SMTP_PASSWORD | login, when the server wants one | none |
| FORMS_SMTP_FROM | the sender | Hitta vård <no-reply@localhost> |
| FORMS_SMS_URL | the SMS gateway's URL (HTTP JSON POST); unset: SMS notices wait | none |
| FORMS_SMS_TOKEN | sent as `Authorization: Bearer …` when set | none |
| FORMS_NOTICES_TIMEOUT | seconds to wait for the server or gateway | 15 |
| FORMS_NOTICES_POLL | seconds between rounds of `run` | 30 |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from forms.platform.settings import PREFIX, SettingsError, env_positive_int

TLS_MODES = ("starttls", "tls", "none")


@dataclass(frozen=True)
class NoticeSettings:
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_tls: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Hitta vård <no-reply@localhost>"
    sms_url: str | None = None
    sms_token: str | None = None
    timeout: int = 15
    poll: int = 30

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> NoticeSettings:
        environ = os.environ if environ is None else environ
        tls = (environ.get(PREFIX + "SMTP_TLS") or "starttls").strip().lower()
        if tls not in TLS_MODES:
            raise SettingsError(f"{PREFIX}SMTP_TLS ska vara starttls, tls eller none, inte {tls!r}")
        return cls(
            smtp_host=environ.get(PREFIX + "SMTP_HOST") or None,
            smtp_port=env_positive_int(environ, "SMTP_PORT", 465 if tls == "tls" else 587),
            smtp_tls=tls,
            smtp_user=environ.get(PREFIX + "SMTP_USER") or None,
            smtp_password=environ.get(PREFIX + "SMTP_PASSWORD") or None,
            smtp_from=environ.get(PREFIX + "SMTP_FROM") or cls.smtp_from,
            sms_url=environ.get(PREFIX + "SMS_URL") or None,
            sms_token=environ.get(PREFIX + "SMS_TOKEN") or None,
            timeout=env_positive_int(environ, "NOTICES_TIMEOUT", 15),
            poll=env_positive_int(environ, "NOTICES_POLL", 30),
        )
