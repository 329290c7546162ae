"""A session's CSRF token signed once a minute, not on every page.

Signing a token (itsdangerous: JSON, zlib, base64 and an HMAC) was the largest single cost of the
logged-in bar that every citizen page shows, about a tenth of an empty page. A signed token says
"this session's secret, signed at this second"; one signed up to a minute ago says the same and is
checked the same way (Flask-WTF's `validate_csrf` for citizens, the staff serializer for staff), so
a page may carry the token its session's previous page got. The only difference: the age limit
(`csrf_minutes`) runs out sooner for a token that was reused, by at most a sixtieth of it (a minute
of the default hour): a minute's reuse of a token accepted for one minute would leave a page
seconds to be sent in, and its page shown again as stale would get the same old token.

The library still makes every token; this keeps what it made. Keys are the signing key and the
session's secret, so a token is never given to another session, and a session that gets a new
secret (login) gets a new token.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from itsdangerous import TimestampSigner

REUSE_SECONDS = 60
MAX_KEPT = 10_000  # sessions active within a minute in one worker; past that, start afresh

# itsdangerous's own clock, the one a token's time is written and checked with (tests move it).
_CLOCK = TimestampSigner(b"the clock only, never used to sign")


class SignedTokens:
    """The latest token signed for each (key, secret) in this process, reused for up to a minute."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[int, str]] = {}

    def get(self, key: Hashable, sign: Callable[[], str], lifetime: int) -> str:
        """`lifetime`: the seconds a token is accepted, of which reuse may take a sixtieth."""
        now = _CLOCK.get_timestamp()
        kept = self._kept.get(key)
        if kept is not None and 0 <= now - kept[0] < min(REUSE_SECONDS, lifetime // 60):
            return kept[1]
        token = sign()  # signed at `now` (or a second before, on a session's first page)
        if len(self._kept) >= MAX_KEPT:
            self._kept = {}  # replaced whole: the threads of a worker share it
        self._kept[key] = (now, token)
        return token


signed_tokens = SignedTokens()
