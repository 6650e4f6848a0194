"""The OAuth token pair and the store interface that keeps it between calls."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Token:
    """One Procore access token, its refresh token (absent for client credentials) and its expiry."""

    access_token: str
    expires_at: float
    refresh_token: str | None = None
    token_type: str = "bearer"
    created_at: float | None = None
    expires_in: int | None = None
    scope: str | None = None

    @classmethod
    def from_response(cls, payload: Mapping[str, Any], *, now: float | None = None) -> Token:
        """Build a token from a /oauth/token response, taking expiry from `expires_in`."""
        received = time.time() if now is None else now
        expires_in = int(payload["expires_in"])
        # Expiry is counted from our own clock at receipt, not Procore's created_at, so clock
        # skew between us and Procore can only make us refresh early, never late.
        return cls(
            access_token=str(payload["access_token"]),
            refresh_token=payload.get("refresh_token") or None,
            token_type=str(payload.get("token_type") or "bearer"),
            created_at=float(payload.get("created_at") or received),
            expires_in=expires_in,
            expires_at=received + expires_in,
            scope=payload.get("scope") or None,
        )

    def needs_refresh(self, now: float, *, margin: float = 300.0, fraction: float = 0.1) -> bool:
        """Return True once `now` is within the refresh margin of expiry.

        The margin is the smaller of `margin` seconds and `fraction` of the token's lifetime, so
        a 90-minute token is refreshed 5 minutes early and a 15-minute one 90 seconds early.
        """
        lifetime = self.expires_in or margin / fraction
        return now >= self.expires_at - min(margin, lifetime * fraction)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict, the form stores save."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Token:
        """Rebuild a token saved with `to_dict`."""
        return cls(**{key: data.get(key) for key in cls.__dataclass_fields__ if key in data})


class TokenStore(Protocol):
    """Keeps one token per connection key (for example "company:42" or "user:7")."""

    def fetch(self, key: str) -> Token | None:
        """Return the stored token for `key`, or None."""
        ...

    def save(self, key: str, token: Token) -> None:
        """Store `token` for `key`, replacing any earlier one."""
        ...

    def delete(self, key: str) -> None:
        """Forget the token for `key`."""
        ...


class MemoryTokenStore:
    """A process-local token store, for tests and single-process scripts."""

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def fetch(self, key: str) -> Token | None:
        """Return the stored token for `key`, or None."""
        with self._lock:
            return self._tokens.get(key)

    def save(self, key: str, token: Token) -> None:
        """Store `token` for `key`."""
        with self._lock:
            self._tokens[key] = token

    def delete(self, key: str) -> None:
        """Forget the token for `key`."""
        with self._lock:
            self._tokens.pop(key, None)
