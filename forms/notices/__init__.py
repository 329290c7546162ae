"""Notices to citizens: the outbox in the case store, the worker that empties it, and where to.

- `forms.notices.contacts`: a citizen's "Mina uppgifter" (e-mail, mobile), validated.
- `forms.notices.outbox`: `enqueue` and `withdraw`, called inside the transaction of the event that
  causes a notice (an answer, a booking), so a notice exists exactly when its event does.
- `forms.notices.worker` (`python -m forms.notices run|once`): sends by SMTP and by an SMS gateway.

Below the features (account, cases, staff, booking), above platform and store: features call it,
it calls nothing of theirs. A notice never carries health information: its text is one of the
fixed sentences of CONTRACT section 5 and 6 (`ANSWER_TEXT`, `REMINDER_TEXT`).
"""
