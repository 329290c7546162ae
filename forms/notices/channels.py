"""The two ways a notice leaves: e-mail by SMTP, SMS by the region's gateway (an HTTP JSON POST).

Both carry a key derived from the notice's id, the same on every attempt, so a notice sent again
after a worker died between sending and marking it can be recognised as the same message:

- SMS: the gateway receives `{"to": "+46701234567", "text": "…", "idempotency_key":
  "hittavard-notice-<id>"}` and the same key in an `Idempotency-Key` header. A gateway that keeps
  the keys it has seen (as the region's must) delivers the message once however often it is posted.
  2xx means accepted; anything else, or no answer within the timeout, is a failure to retry.
- E-mail: `Message-ID: <hittavard-notice-<id>@<sender's domain>>`. SMTP has no idempotency: a
  server that accepted the message before the worker died receives it again on the retry. Mail
  stores and clients that collapse messages with one Message-ID (many do) show it once; others
  show two identical copies. That is the honest limit of "never twice" for e-mail; see
  docs/operators.md.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol

from forms.notices.settings import NoticeSettings

SUBJECT = "Avisering från Hitta vård"  # "meddelande" is a message in the inbox, not this notice


class SendFailed(Exception):
    """The notice was not accepted; `code` is short and safe to store (no address, no text)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def idempotency_key(notice_id: int) -> str:
    return f"hittavard-notice-{notice_id}"


class Channel(Protocol):
    def send(self, notice_id: int, address: str, text: str) -> None:
        """Deliver or raise SendFailed."""
        ...


class SmtpChannel:
    def __init__(self, settings: NoticeSettings) -> None:
        assert settings.smtp_host
        self.settings = settings
        domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "localhost"
        self.domain = domain

    def message(self, notice_id: int, address: str, text: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = address
        message["Subject"] = SUBJECT
        message["Message-ID"] = f"<{idempotency_key(notice_id)}@{self.domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text)
        return message

    def send(self, notice_id: int, address: str, text: str) -> None:
        s = self.settings
        assert s.smtp_host
        try:
            if s.smtp_tls == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout)
            with client:
                if s.smtp_tls == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    client.login(s.smtp_user, s.smtp_password or "")
                client.send_message(self.message(notice_id, address, text))
        except smtplib.SMTPResponseException as error:
            raise SendFailed(f"smtp_{error.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as error:
            raise SendFailed(f"smtp_{type(error).__name__}") from None


class SmsGatewayChannel:
    def __init__(self, settings: NoticeSettings) -> None:
        assert settings.sms_url
        self.settings = settings

    def send(self, notice_id: int, address: str, text: str) -> None:
        key = idempotency_key(notice_id)
        body = json.dumps({"to": address, "text": text, "idempotency_key": key}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key}
        if self.settings.sms_token:
            headers["Authorization"] = f"Bearer {self.settings.sms_token}"
        request = urllib.request.Request(str(self.settings.sms_url), data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            raise SendFailed(f"sms_http_{error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            raise SendFailed(f"sms_{type(error).__name__}") from None
        if not 200 <= status < 300:
            raise SendFailed(f"sms_http_{status}")
