"""Signed, expiring, single-use tokens, in one place.

Two kinds, for every way in that has no password:

- a **signed link** (``sign`` / ``verify``): data signed with SECRET_KEY for one purpose, with an age
  limit. Nothing is stored; whatever the data names (an outreach request) decides whether it still
  works. The upload link is one: it keeps working for later documents until its request closes.
- a **one-time secret** (``issue_code`` / ``redeem_code``, ``issue_token`` / ``redeem_token``): a
  6-digit code or a random link token sent to someone, stored only as a keyed hash, with an expiry,
  single use, and a limit on wrong attempts. The Record Hub code is one; magic links are the other.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, or_, select, update

from integration.extensions import db
from integration.models import OneTimeToken, utcnow
from integration.refusals import Refusal

CODE_DIGITS = 6


class TokenRefused(Refusal):
    """A link or code that does not open anything; ``reason`` says which rule it broke.

    Reasons: ``tampered`` (not ours), ``expired``, ``used``, ``wrong`` (a code that does not match),
    ``attempts`` (too many wrong tries), ``closed`` (what it names has ended). ``data`` is the signed
    data of an expired link, so that a fresh one can be sent to the address on file.
    """

    status = 403

    def __init__(self, reason: str, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.reason, self.data = reason, data


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"gapline-{purpose}")


def sign(purpose: str, data: Any) -> str:
    """A URL-safe token carrying ``data``, signed for ``purpose`` (a token for one purpose opens no other)."""
    return _serializer(purpose).dumps(data)


def verify(purpose: str, token: str, max_age: timedelta) -> Any:
    """The data of a token signed for ``purpose`` within ``max_age``; TokenRefused otherwise."""
    serializer = _serializer(purpose)
    try:
        return serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        data = serializer.load_payload(exc.payload) if exc.payload is not None else None
        raise TokenRefused("expired", "This link has expired.", data) from exc
    except BadSignature as exc:
        raise TokenRefused("tampered", "This link is not valid: it was changed or cut short.") from exc


def peek(purpose: str, token: str) -> Any:
    """The data a token carries without checking its signature or age: only to decide where to send something
    (a fresh link goes to the address on file), never to open anything. None when it does not decode."""
    try:
        return _serializer(purpose).loads_unsafe(token)[1]
    except Exception:  # noqa: BLE001 - any undecodable token is just nothing
        return None


def _hash(purpose: str, subject: str, secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}\x00{subject}\x00{secret}".encode(), hashlib.sha256).hexdigest()


def issue_code(purpose: str, subject: str, ttl: timedelta, *, max_attempts: int = 5,
               now: datetime | None = None) -> str:
    """A fresh 6-digit code for ``subject``; earlier unused codes for the same purpose stop working.

    Adds the row to the current transaction (the caller commits, with the email that carries the code).
    """
    now = now or utcnow()
    _retire(purpose, subject, now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    db.session.add(OneTimeToken(purpose=purpose, subject=subject, secret_hash=_hash(purpose, subject, code),
                                expires_at=now + ttl, max_attempts=max_attempts))
    db.session.flush()
    return code


def redeem_code(purpose: str, subject: str, code: str, *, now: datetime | None = None) -> OneTimeToken:
    """Use up the code issued to ``subject``; TokenRefused (wrong, expired, used, attempts) otherwise.

    A wrong try counts against the code's attempts and is committed, so that the limit holds even when
    the caller then rolls back.
    """
    now = now or utcnow()
    row = db.session.scalar(select(OneTimeToken).where(OneTimeToken.purpose == purpose,
                                                       OneTimeToken.subject == subject)
                            .order_by(OneTimeToken.id.desc()).limit(1))
    if row is None:
        raise TokenRefused("wrong", "That code is not right. Check the latest email, or ask for a new code.")
    _check_usable(row, now)
    if not hmac.compare_digest(row.secret_hash, _hash(purpose, subject, (code or "").strip())):
        row.attempts += 1
        db.session.commit()
        left = row.max_attempts - row.attempts
        if left <= 0:
            raise TokenRefused("attempts", "That code is not right, and it was the last try: ask for a new code.")
        raise TokenRefused("wrong", f"That code is not right. {left} {'try' if left == 1 else 'tries'} left.")
    return _use(row, now)


def issue_token(purpose: str, subject: str, ttl: timedelta, *, now: datetime | None = None) -> str:
    """A random single-use link token for ``subject`` (a magic link), valid for ``ttl``."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(OneTimeToken(purpose=purpose, subject=subject, secret_hash=_hash(purpose, "", token),
                                expires_at=now + ttl, max_attempts=1))
    db.session.flush()
    return token


def redeem_token(purpose: str, token: str, *, now: datetime | None = None) -> OneTimeToken:
    """Use up a single-use link token; its row says whom it was issued to. TokenRefused otherwise."""
    now = now or utcnow()
    row = db.session.scalar(select(OneTimeToken).where(OneTimeToken.purpose == purpose,
                                                       OneTimeToken.secret_hash == _hash(purpose, "", token or "")))
    if row is None:
        raise TokenRefused("tampered", "This link is not valid: it was changed or cut short.")
    _check_usable(row, now)
    return _use(row, now)


def _check_usable(row: OneTimeToken, now: datetime) -> None:
    if row.used_at is not None:
        raise TokenRefused("used", "This code or link was already used. Ask for a new one.")
    if row.attempts >= row.max_attempts:
        raise TokenRefused("attempts", "Too many wrong tries for this code. Ask for a new code.")
    if row.expires_at <= now:
        raise TokenRefused("expired", "This code or link has expired. Ask for a new one.")


def _use(row: OneTimeToken, now: datetime) -> OneTimeToken:
    """Mark used with a conditional update, so that two redeems at once cannot both succeed."""
    used = db.session.execute(update(OneTimeToken).where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_(None))
                              .values(used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        raise TokenRefused("used", "This code or link was already used. Ask for a new one.")
    db.session.commit()
    db.session.refresh(row)
    return row


def _retire(purpose: str, subject: str, now: datetime) -> None:
    db.session.execute(update(OneTimeToken).where(OneTimeToken.purpose == purpose, OneTimeToken.subject == subject,
                                                  OneTimeToken.used_at.is_(None), OneTimeToken.expires_at > now)
                       .values(expires_at=now).execution_options(synchronize_session=False))


def prune(before: datetime) -> int:
    """Delete one-time secrets that expired or were used before ``before``; returns how many."""
    result = db.session.execute(delete(OneTimeToken).where(or_(OneTimeToken.expires_at < before,
                                                               OneTimeToken.used_at < before)))
    return result.rowcount
