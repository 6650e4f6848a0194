"""Keeps each connection's token fresh: early refresh from expires_in, one refresh at a time."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from .errors import ReconnectRequired
from .locks import LockProvider, ThreadLockProvider
from .oauth import ProcoreOAuth
from .tokens import Token, TokenStore

log = logging.getLogger(__name__)

InvalidGrantCallback = Callable[[str, ReconnectRequired], None]


class TokenSource(Protocol):
    """What ProcoreClient needs for auth: a current access token, and a renewal after a 401."""

    def access_token(self) -> str:
        """Return an access token believed valid now."""
        ...

    def refresh_after_unauthorized(self, rejected: str) -> str | None:
        """Return a different access token after Procore rejected `rejected` with a 401, or None if none."""
        ...


class TokenManager:
    """Hands out access tokens per connection key, refreshing them under a per-key lock.

    Refresh tokens are single-use, so a refresh must never run twice for one connection: under
    the lock the token is read again from the store, and if another worker already refreshed it
    that token is used. The new pair is saved before the lock is released.
    """

    def __init__(self, store: TokenStore, oauth: ProcoreOAuth, *, locks: LockProvider | None = None,
                 on_invalid_grant: InvalidGrantCallback | None = None, client_credentials: bool = False,
                 clock: Callable[[], float] = time.time, margin: float = 300.0, fraction: float = 0.1) -> None:
        self.store = store
        self.oauth = oauth
        self.locks = locks or ThreadLockProvider()
        self.on_invalid_grant = on_invalid_grant
        self.client_credentials = client_credentials
        self._clock = clock
        self._margin = margin
        self._fraction = fraction

    def token(self, key: str) -> Token:
        """Return a token for `key` that is not near expiry, refreshing it first if needed."""
        current = self.store.fetch(key)
        if current is not None and not self._stale(current):
            return current
        return self._renew(key, rejected=None)

    def access_token(self, key: str) -> str:
        """Return a usable access token string for `key`."""
        return self.token(key).access_token

    def refresh_after_unauthorized(self, key: str, rejected: str) -> str:
        """Renew after Procore answered 401 to `rejected`, unless another caller already did."""
        return self._renew(key, rejected=rejected).access_token

    def source(self, key: str) -> ConnectionTokens:
        """Return a TokenSource bound to one connection key, for ProcoreClient."""
        return ConnectionTokens(self, key)

    def _renew(self, key: str, *, rejected: str | None) -> Token:
        with self.locks.lock(key):
            current = self.store.fetch(key)  # re-read: a caller ahead of us may have refreshed
            if current is not None and self._usable(current, rejected):
                return current
            fresh = self._obtain(key, current)
            self.store.save(key, fresh)
            return fresh

    def _usable(self, token: Token, rejected: str | None) -> bool:
        return not self._stale(token) and token.access_token != rejected

    def _stale(self, token: Token) -> bool:
        return token.needs_refresh(self._clock(), margin=self._margin, fraction=self._fraction)

    def _obtain(self, key: str, current: Token | None) -> Token:
        if current is not None and current.refresh_token:
            try:
                return self.oauth.refresh(current.refresh_token)
            except ReconnectRequired as exc:
                self._disconnect(key, exc)
                raise
        if self.client_credentials:
            return self.oauth.client_credentials()
        # Nothing to refresh with: never connected, or already marked disconnected.
        raise ReconnectRequired(f"no refreshable Procore token stored for {key!r}; reconnect the app")

    def _disconnect(self, key: str, error: ReconnectRequired) -> None:
        # The refresh token is dead; forget it so later calls fail fast instead of asking again.
        log.warning("Procore connection %s needs reconnecting: %s", key, error)
        self.store.delete(key)
        if self.on_invalid_grant is not None:
            self.on_invalid_grant(key, error)


class ConnectionTokens:
    """A TokenSource for one connection of a TokenManager."""

    def __init__(self, manager: TokenManager, key: str) -> None:
        self.manager = manager
        self.key = key

    def access_token(self) -> str:
        """Return a usable access token for this connection."""
        return self.manager.access_token(self.key)

    def refresh_after_unauthorized(self, rejected: str) -> str:
        """Renew this connection's token after a 401."""
        return self.manager.refresh_after_unauthorized(self.key, rejected)


class StaticToken:
    """A TokenSource holding one fixed access token, for scripts and the emulator; a 401 is final."""

    def __init__(self, access_token: str) -> None:
        self._access_token = access_token

    def access_token(self) -> str:
        """Return the fixed token."""
        return self._access_token

    def refresh_after_unauthorized(self, rejected: str) -> str | None:
        """Return None: a fixed token cannot be renewed, so the 401 stands."""
        return None
