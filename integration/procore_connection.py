"""Gapline's side of the Procore connection: tokens encrypted in the database, serialized refresh, clients.

Two kinds of connection: the installing admin's authorization-code
token, kept per company under the key ``company:<id>``, and the app's service account (DMSA,
client credentials) that background jobs use, kept under ``dmsa``. Every RQ job runs in a process
of its own, so the service account's token is kept in Redis, encrypted, until shortly before it expires:
each job reuses it rather than asking Procore for a new one (in embedded mode, in the process).
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import text
from sqlalchemy.orm import Session

from integration.crypto import TokenCipher
from integration.extensions import db
from integration.models import Installation
from integration.tenancy import installation_of
from procore_client import (
    Deadline,
    ForbiddenError,
    InMemoryRateBudget,
    NullRateBudget,
    ProcoreClient,
    ProcoreError,
    ProcoreHosts,
    ProcoreOAuth,
    ReconnectRequired,
    RedisRateBudget,
    StaticToken,
    ThreadLockProvider,
    Token,
    TokenManager,
)

log = logging.getLogger(__name__)
DMSA_KEY = "dmsa"
SHARED_DMSA_KEY = "gapline:procore:service-account-token"  # in Redis, encrypted, expiring with the token


def company_key(company_id: int) -> str:
    """The token-store key of a company's user connection."""
    return f"company:{company_id}"


def _company_id(key: str) -> int:
    prefix, _, value = key.partition(":")
    if prefix != "company" or not value.isdigit():
        raise KeyError(f"not a company connection key: {key!r}")
    return int(value)


class DatabaseTokenStore:
    """Keeps each company's token pair on its Installation row, encrypted; saves commit on their own."""

    def __init__(self, engine, cipher: TokenCipher, shared=None) -> None:
        self.engine = engine
        self.cipher = cipher
        self.shared = shared  # a Redis the service account's token is shared through (None: this process only)
        self._dmsa: Token | None = None

    def fetch(self, key: str) -> Token | None:
        """The stored token, decrypted, or None when the company is not connected."""
        if key == DMSA_KEY:
            return self._shared_dmsa() or self._dmsa
        with Session(self.engine) as session:
            row = installation_of(_company_id(key), session)
            if row is None or row.access_token_encrypted is None:
                return None
            return Token(
                access_token=self.cipher.decrypt(row.access_token_encrypted),
                refresh_token=self.cipher.decrypt(row.refresh_token_encrypted) if row.refresh_token_encrypted else None,
                expires_at=row.token_expires_at.replace(tzinfo=UTC).timestamp(),
            )

    def save(self, key: str, token: Token) -> None:
        """Store the new pair atomically (one committed UPDATE), replacing the used refresh token."""
        if key == DMSA_KEY:
            self._dmsa = token
            self._share_dmsa(token)
            return
        with Session(self.engine) as session, session.begin():
            row = installation_of(_company_id(key), session)
            if row is None:
                raise KeyError(f"no installation for {key!r}")
            self.apply(row, token)

    def apply(self, row: Installation, token: Token) -> None:
        """Put ``token`` on an installation row, encrypted, in whatever transaction holds the row."""
        row.access_token_encrypted = self.cipher.encrypt(token.access_token)
        row.refresh_token_encrypted = self.cipher.encrypt(token.refresh_token) if token.refresh_token else None
        row.token_expires_at = datetime.fromtimestamp(token.expires_at, UTC)
        row.connection_state = "connected"
        row.disconnected_reason = None

    def delete(self, key: str) -> None:
        """Forget the tokens (the row and its settings stay)."""
        if key == DMSA_KEY:
            self._dmsa = None
            self._share_dmsa(None)
            return
        with Session(self.engine) as session, session.begin():
            row = installation_of(_company_id(key), session)
            if row is not None:
                row.access_token_encrypted = row.refresh_token_encrypted = row.token_expires_at = None


    def _shared_dmsa(self) -> Token | None:
        if self.shared is None:
            return None
        try:
            stored = self.shared.get(SHARED_DMSA_KEY)
        except Exception:  # Redis is away: this process asks Procore for its own token
            log.warning("could not read the shared Procore service-account token", exc_info=True)
            return None
        return Token.from_dict(json.loads(self.cipher.decrypt(stored))) if stored else None

    def _share_dmsa(self, token: Token | None) -> None:
        if self.shared is None:
            return
        try:
            if token is None:
                self.shared.delete(SHARED_DMSA_KEY)
                return
            lifetime = int(token.expires_at - time.time())
            if lifetime > 0:  # Redis forgets it when it expires
                self.shared.set(SHARED_DMSA_KEY, self.cipher.encrypt(json.dumps(token.to_dict())), ex=lifetime)
        except Exception:
            log.warning("could not share the Procore service-account token", exc_info=True)


class AdvisoryLockProvider:
    """Serializes refreshes across processes with a PostgreSQL session advisory lock per key.

    Threads of one process queue on a local lock first, so waiting threads hold no database
    connection and cannot drain the pool.
    """

    def __init__(self, engine) -> None:
        self.engine = engine
        self.local = ThreadLockProvider()

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Hold the lock for ``key`` on a dedicated connection for the duration of the block."""
        lock_id = zlib.crc32(f"gapline:procore-token:{key}".encode())
        with self.local.lock(key), self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
                conn.commit()


def mark_disconnected(key: str, error: ReconnectRequired) -> None:
    """A refresh token was refused: record it so an admin is asked to reconnect; never retry in a loop."""
    if key != DMSA_KEY:
        log.warning("Procore refused the stored token of %s: %s", key, error)
        record_disconnection(_company_id(key), "Procore refused the stored sign-in; an admin must reconnect")


def record_disconnection(company_id: int, reason: str) -> None:
    """Mark the company disconnected, on its own transaction, with the reason an admin will see."""
    with Session(db.engine) as session, session.begin():
        row = installation_of(company_id, session)
        if row is not None:
            row.connection_state = "disconnected"
            row.disconnected_reason = reason[:255]


def is_app_disconnected(error: ProcoreError) -> bool:
    """True for Procore's 403 that means an admin disconnected the app in App Management."""
    return isinstance(error, ForbiddenError) and "not connected" in str(error).lower()


def procore_hosts() -> ProcoreHosts:
    """Procore's hosts as configured."""
    settings = current_app.config["GAPLINE"]
    return ProcoreHosts(login=settings.procore_login_base, api=settings.procore_api_base)


def procore_oauth(deadline: Deadline | None = None) -> ProcoreOAuth:
    """The OAuth client for this app's credentials, with the callback as redirect URI (bounded by ``deadline``)."""
    settings = current_app.config["GAPLINE"]
    return ProcoreOAuth(settings.procore_client_id, settings.procore_client_secret, hosts=procore_hosts(),
                        redirect_uri=f"{settings.public_base_url}/procore/oauth/callback", deadline=deadline)


def request_deadline() -> Deadline:
    """The time one web request may spend on Procore in all (PROCORE_REQUEST_SECONDS), under the web timeout."""
    clock = current_app.config.get("PROCORE_CLIENT_OPTIONS", {}).get("clock", time.monotonic)
    return Deadline(current_app.config["GAPLINE"].procore_request_seconds, clock=clock)


def request_client(access_token: str, deadline: Deadline) -> ProcoreClient:
    """A client for a web request acting with ``access_token``: every call and retry within ``deadline``.

    It keeps no shared rate budget: a user's own token has its own limit, and pacing must not hold a request.
    """
    return ProcoreClient(StaticToken(access_token), **{**client_options(), "budget": NullRateBudget(),
                                                       "deadline": deadline})


def token_manager() -> TokenManager:
    """One TokenManager per app: database store, and a lock that spans processes on PostgreSQL."""
    manager = current_app.extensions.get("procore_tokens")
    if manager is None:
        engine = db.engine
        locks = AdvisoryLockProvider(engine) if engine.dialect.name == "postgresql" else ThreadLockProvider()
        store = DatabaseTokenStore(engine, current_app.extensions["token_cipher"], shared=_token_redis())
        manager = TokenManager(store, procore_oauth(), locks=locks, on_invalid_grant=mark_disconnected)
        current_app.extensions["procore_tokens"] = manager
    return manager


def _token_redis():
    """The Redis jobs share the service account's token through (None in embedded mode: one process)."""
    if current_app.config["GAPLINE"].embedded:
        return None
    from integration.queue import redis_connection

    return redis_connection()


def service_account_tokens() -> TokenManager:
    """Client-credentials tokens of the app's service account (no refresh token: a new one is asked for)."""
    manager = current_app.extensions.get("procore_dmsa_tokens")
    if manager is None:
        companies = token_manager()  # the same store, and its lock across processes: one job asks, the others wait
        manager = TokenManager(companies.store, procore_oauth(), locks=companies.locks, client_credentials=True)
        current_app.extensions["procore_dmsa_tokens"] = manager
    return manager


def job_client(company_id: int, deadline: Deadline | None = None) -> ProcoreClient:
    """The client background jobs use: the service account by default, else the company's connection.

    With a ``deadline`` (a job's call made inside a web request) it does not wait on the shared budget.
    """
    if current_app.config["GAPLINE"].procore_job_auth == "service_account":
        return ProcoreClient(service_account_tokens().source(DMSA_KEY), **client_options(deadline))
    return procore_client(company_id, deadline)


def procore_client(company_id: int, deadline: Deadline | None = None) -> ProcoreClient:
    """A client acting as the company's connected admin (the installing user's token)."""
    return ProcoreClient(token_manager().source(company_key(company_id)), **client_options(deadline))


def client_options(deadline: Deadline | None = None) -> dict:
    """Hosts, the shared rate budget and any configured transport options (tests pass a no-op sleep)."""
    extra = current_app.config.get("PROCORE_CLIENT_OPTIONS", {})
    if deadline is not None:
        return {"hosts": procore_hosts(), **extra, "budget": NullRateBudget(), "deadline": deadline}
    return {"hosts": procore_hosts(), "budget": _shared_budget(), **extra}


def _shared_budget():
    """The rate budget every job shares: in Redis across workers, or in this process in embedded mode."""
    settings = current_app.config["GAPLINE"]
    if settings.embedded:
        options = {key: value for key, value in current_app.config.get("PROCORE_CLIENT_OPTIONS", {}).items()
                   if key == "sleep"}
        return current_app.extensions.setdefault("procore_budget", InMemoryRateBudget(**options))
    from integration.queue import redis_connection

    return RedisRateBudget(redis_connection())
