"""Procore's OAuth 2.0 grants: authorization code (connect, identify the user), refresh, client credentials."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from .deadline import Deadline
from .errors import AuthError, ProcoreConnectionError, ProcoreError, ReconnectRequired, error_for_response
from .hosts import DEFAULT_TIMEOUT, ProcoreHosts
from .tokens import Token


class ProcoreOAuth:
    """Talks to Procore's /oauth endpoints for one app (client id and secret) in one environment."""

    def __init__(self, client_id: str, client_secret: str, *, hosts: ProcoreHosts | None = None,
                 redirect_uri: str | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 clock: Callable[[], float] = time.time, deadline: Deadline | None = None) -> None:
        self.client_id = client_id
        self.deadline = deadline
        self.hosts = hosts or ProcoreHosts.production()
        self.redirect_uri = redirect_uri
        self.timeout = timeout
        self._client_secret = client_secret
        self._clock = clock

    def authorization_url(self, state: str, *, redirect_uri: str | None = None) -> str:
        """Return the URL to send the user to; `state` comes back on the redirect for CSRF checks."""
        if not state:
            raise ValueError("state must be a non-empty, unguessable string")
        with self._session(redirect_uri) as session:
            url, _ = session.create_authorization_url(self.hosts.authorize_url, state=state)
        return url

    def exchange_code(self, code: str, *, redirect_uri: str | None = None) -> Token:
        """Swap a single-use authorization code (valid 10 minutes) for a token pair."""
        with self._session(redirect_uri) as session:
            payload = self._call(lambda: session.fetch_token(
                self.hosts.token_url, grant_type="authorization_code", code=code, timeout=self._timeout()))
        return Token.from_response(payload, now=self._clock())

    def refresh(self, refresh_token: str, *, redirect_uri: str | None = None) -> Token:
        """Trade a refresh token for a new pair; the old refresh token dies whatever happens.

        Raises ReconnectRequired when Procore answers `invalid_grant`.
        """
        extra: dict[str, Any] = {}
        if redirect_uri or self.redirect_uri:
            extra["redirect_uri"] = redirect_uri or self.redirect_uri
        with self._session(redirect_uri) as session:
            payload = self._call(lambda: session.refresh_token(
                self.hosts.token_url, refresh_token=refresh_token, timeout=self._timeout(), **extra))
        return Token.from_response(payload, now=self._clock())

    def client_credentials(self) -> Token:
        """Fetch a service-account (DMSA) token; it has no refresh token, so ask again when it expires."""
        with self._session(None) as session:
            payload = self._call(lambda: session.fetch_token(
                self.hosts.token_url, grant_type="client_credentials", timeout=self._timeout()))
        return Token.from_response(payload, now=self._clock())

    def revoke(self, token: Token) -> None:
        """Revoke a token pair at Procore (both tokens die), e.g. when a user leaves."""
        with self._session(None) as session:
            self._call(lambda: session.revoke_token(self.hosts.revoke_url, token=token.access_token,
                                                    timeout=self._timeout()))

    @contextmanager
    def _session(self, redirect_uri: str | None) -> Iterator[OAuth2Session]:
        # One short-lived session per grant: OAuth2Session keeps the last token on itself, so
        # sharing one between threads refreshing different connections would mix them up.
        session = OAuth2Session(self.client_id, self._client_secret,
                                token_endpoint_auth_method="client_secret_post",
                                revocation_endpoint_auth_method="client_secret_post",
                                redirect_uri=redirect_uri or self.redirect_uri)
        try:
            yield session
        finally:
            session.close()

    def _timeout(self) -> tuple[float, float]:
        return self.deadline.timeout(self.timeout, "at its OAuth endpoint") if self.deadline else self.timeout

    def _call(self, grant: Callable[[], Any]) -> dict[str, Any]:
        try:
            result = grant()
        except OAuthError as exc:
            detail = f"{exc.error}: {exc.description or ''}".strip()
            if exc.error == "invalid_grant":
                raise ReconnectRequired(f"Procore refused the grant ({detail}); reconnect the app") from exc
            raise AuthError(f"Procore OAuth error ({detail})") from exc
        except requests.HTTPError as exc:
            raise error_for_response(exc.response) from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            if self.deadline and self.deadline.left() <= 0:
                raise self.deadline.exceeded("at its OAuth endpoint") from exc
            raise ProcoreConnectionError(f"Procore OAuth endpoint unreachable: {exc}") from exc
        if isinstance(result, requests.Response):
            if not result.ok:
                raise error_for_response(result)
            return {}
        if not isinstance(result, dict):
            raise ProcoreError(f"unexpected token response: {result!r}")
        return dict(result)
