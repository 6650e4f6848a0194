"""The OAuth grants against Procore's /oauth endpoints, and token expiry arithmetic."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from fixtures.procore import load
from procore_client import (
    AuthError,
    ProcoreConnectionError,
    ProcoreHosts,
    ProcoreOAuth,
    ReconnectRequired,
    ServerError,
    Token,
)

from .conftest import FakeClock

HOSTS = ProcoreHosts.sandbox()
REDIRECT = "https://gapline.example.test/procore/callback"


@pytest.fixture
def oauth(clock: FakeClock) -> ProcoreOAuth:
    return ProcoreOAuth("client-id", "client-secret", hosts=HOSTS, redirect_uri=REDIRECT, clock=clock.now)


def _form(call: responses.Call) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


def test_hosts_per_environment() -> None:
    assert ProcoreHosts.production() == ProcoreHosts("https://login.procore.com", "https://api.procore.com")
    assert ProcoreHosts.sandbox().token_url == "https://login-sandbox.procore.com/oauth/token"
    assert ProcoreHosts.sandbox().api == "https://sandbox.procore.com"
    emulator = ProcoreHosts.single("http://127.0.0.1:8765/")
    assert (emulator.authorize_url, emulator.api) == ("http://127.0.0.1:8765/oauth/authorize", "http://127.0.0.1:8765")


def test_authorization_url_carries_client_redirect_and_state(oauth: ProcoreOAuth) -> None:
    url = oauth.authorization_url("st4te-xyz")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://login-sandbox.procore.com/oauth/authorize"
    assert parse_qs(parts.query) == {"response_type": ["code"], "client_id": ["client-id"],
                                     "redirect_uri": [REDIRECT], "state": ["st4te-xyz"]}


def test_authorization_url_needs_a_state(oauth: ProcoreOAuth) -> None:
    with pytest.raises(ValueError, match="state"):
        oauth.authorization_url("")


def test_exchange_code(oauth: ProcoreOAuth, mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(HOSTS.token_url, json=load("oauth_token"))
    token = oauth.exchange_code("auth-code-123")
    assert _form(mocked.calls[0]) == {"grant_type": "authorization_code", "code": "auth-code-123",
                                      "redirect_uri": REDIRECT, "client_id": "client-id",
                                      "client_secret": "client-secret"}
    assert (token.access_token, token.refresh_token) == ("fake-access-aaaa0001", "fake-refresh-rrrr0001")
    assert token.expires_at == clock.now() + 5400


def test_refresh_sends_the_refresh_token_and_returns_the_new_pair(oauth: ProcoreOAuth,
                                                                  mocked: responses.RequestsMock) -> None:
    mocked.post(HOSTS.token_url, json=load("oauth_token_refreshed"))
    token = oauth.refresh("fake-refresh-rrrr0001")
    form = _form(mocked.calls[0])
    assert (form["grant_type"], form["refresh_token"], form["client_secret"]) == (
        "refresh_token", "fake-refresh-rrrr0001", "client-secret")
    assert form["redirect_uri"] == REDIRECT
    assert token.refresh_token == "fake-refresh-rrrr0002"


def test_refresh_with_a_used_token_needs_reconnection(oauth: ProcoreOAuth, mocked: responses.RequestsMock) -> None:
    mocked.post(HOSTS.token_url, json=load("oauth_invalid_grant"), status=400)
    with pytest.raises(ReconnectRequired, match="invalid_grant"):
        oauth.refresh("fake-refresh-rrrr0001")


def test_other_oauth_errors_are_auth_errors(oauth: ProcoreOAuth, mocked: responses.RequestsMock) -> None:
    mocked.post(HOSTS.token_url, json={"error": "invalid_client", "error_description": "Client authentication failed"},
                status=401)
    with pytest.raises(AuthError) as caught:
        oauth.client_credentials()
    assert not isinstance(caught.value, ReconnectRequired) and "invalid_client" in str(caught.value)


def test_token_endpoint_outage_and_network_errors_are_typed(oauth: ProcoreOAuth,
                                                            mocked: responses.RequestsMock) -> None:
    mocked.post(HOSTS.token_url, body="<html>502</html>", status=502)
    mocked.post(HOSTS.token_url, body=requests.ConnectionError("refused"))
    with pytest.raises(ServerError):
        oauth.refresh("fake-refresh-rrrr0001")
    with pytest.raises(ProcoreConnectionError):
        oauth.refresh("fake-refresh-rrrr0001")


def test_client_credentials_has_no_refresh_token(oauth: ProcoreOAuth, mocked: responses.RequestsMock) -> None:
    mocked.post(HOSTS.token_url, json=load("oauth_client_credentials"))
    token = oauth.client_credentials()
    assert _form(mocked.calls[0])["grant_type"] == "client_credentials"
    assert token.refresh_token is None and token.access_token == "fake-dmsa-access-cccc0001"


def test_revoke_posts_the_token(oauth: ProcoreOAuth, mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(HOSTS.revoke_url, json={})
    oauth.revoke(Token.from_response(load("oauth_token"), now=clock.now()))
    assert _form(mocked.calls[0]) == {"token": "fake-access-aaaa0001", "client_id": "client-id",
                                      "client_secret": "client-secret"}


def test_refresh_margin_comes_from_expires_in() -> None:
    ninety_minutes = Token.from_response(load("oauth_token"), now=1000.0)
    assert not ninety_minutes.needs_refresh(1000.0 + 5400 - 301)
    assert ninety_minutes.needs_refresh(1000.0 + 5400 - 299)  # 5 minutes early
    fifteen_minutes = Token.from_response(dict(load("oauth_token"), expires_in=900), now=1000.0)
    assert not fifteen_minutes.needs_refresh(1000.0 + 900 - 91)
    assert fifteen_minutes.needs_refresh(1000.0 + 900 - 89)  # 10% early when 5 minutes is too much


def test_token_round_trips_through_a_dict() -> None:
    token = Token.from_response(load("oauth_token"), now=1000.0)
    assert Token.from_dict(json.loads(json.dumps(token.to_dict()))) == token
