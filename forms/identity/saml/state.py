"""What the SPs keep in the database, so that any node can take any answer exactly once.

Outstanding requests: the IdP's POST back carries no SameSite=Lax cookie, so a request is bound to
the browser by the SHA-256 of a random value in a cookie of its own, and `used` flips once, in
one UPDATE, so two nodes racing on one answer cannot both accept it. Accepted assertion IDs: a
row each until the assertion has expired; the primary key refuses a replay on every node.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from forms.store.db import SamlAssertion, SamlRequest
from forms.store.engine import writing

REQUEST_LIFETIME = datetime.timedelta(minutes=15)  # time to log in at the IdP


def binding_hash(value: str) -> str:
    return hashlib.sha256(b"saml-binding:" + value.encode()).hexdigest()


def _naive(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Outstanding:
    request_id: str
    idp: str
    target: str


def remember_request(engine: Engine, *, request_id: str, side: str, binding: str, idp: str, target: str,
                     now: datetime.datetime) -> None:
    with writing(engine).begin() as connection:
        connection.execute(delete(SamlRequest).where(SamlRequest.expires_at < _naive(now)))
        connection.execute(
            insert(SamlRequest).values(
                request_id=request_id, side=side, binding_hash=binding_hash(binding), idp=idp,
                target=target[:500], used=False, expires_at=_naive(now + REQUEST_LIFETIME),
            )
        )


def take_request(engine: Engine, *, request_id: str, side: str, binding: str | None,
                 now: datetime.datetime) -> Outstanding | str:
    """The request answered, used up now; or the reason it cannot be answered (a reason code)."""
    if not request_id or len(request_id) > 100:
        return "missing_in_response_to"
    with writing(engine).begin() as connection:
        row = connection.execute(select(SamlRequest).where(SamlRequest.request_id == request_id)).first()
        if row is None or row.side != side:
            return "unknown_in_response_to"
        if not binding or not hmac.compare_digest(row.binding_hash, binding_hash(binding)):
            return "other_browser"
        if row.expires_at < _naive(now):
            return "request_expired"
        taken = connection.execute(
            update(SamlRequest)
            .where(SamlRequest.request_id == request_id, SamlRequest.used.is_(False))
            .values(used=True)
        )
        if taken.rowcount != 1:
            return "reused_in_response_to"
    return Outstanding(request_id, row.idp, row.target)


def accept_assertion_once(engine: Engine, assertion_id: str, expires: datetime.datetime,
                          now: datetime.datetime) -> bool:
    """Record an assertion as accepted; False if it ever was before (on any node): a replay."""
    try:
        with writing(engine).begin() as connection:
            connection.execute(delete(SamlAssertion).where(SamlAssertion.expires_at < _naive(now)))
            connection.execute(
                insert(SamlAssertion).values(assertion_id=assertion_id[:200], expires_at=_naive(expires))
            )
    except IntegrityError:
        return False
    return True
