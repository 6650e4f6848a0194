"""Connection errors and 5xx are retried with backoff; 429 and 503 are waited out; a 401 renews once."""

from __future__ import annotations

import pytest
import requests
import responses

from fixtures.procore import load
from procore_client import (
    AuthError,
    MemoryTokenStore,
    ProcoreClient,
    ProcoreOAuth,
    ReconnectRequired,
    RetryPolicy,
    ServerError,
    Token,
    TokenManager,
)

from .conftest import API, COMPANY_ID, HOSTS, FakeClock, FakeTokenEndpoint

ME = f"{API}/rest/v1.0/me"
HOOKS = f"{API}/rest/v1.0/webhooks/hooks"


def test_5xx_is_retried_with_growing_backoff(client: ProcoreClient, mocked: responses.RequestsMock,
                                             clock: FakeClock) -> None:
    mocked.get(ME, json=load("error_500"), status=502)
    mocked.get(ME, json=load("error_500"), status=500)
    mocked.get(ME, json=load("me"))
    assert client.me()["id"] == 7340021
    assert len(mocked.calls) == 3
    assert clock.sleeps == [0.25, 0.5]  # base 0.5 s doubled, "equal jitter" with random() == 0


def test_backoff_is_jittered_and_capped() -> None:
    low, high = RetryPolicy(random=lambda: 0.0), RetryPolicy(random=lambda: 0.999)
    assert [low.backoff(n) for n in (1, 2, 3)] == [0.25, 0.5, 1.0]
    assert 0.49 < high.backoff(1) < 0.5
    assert low.backoff(20) == 15.0 and high.backoff(20) < 30.0


def test_connection_error_is_retried(client: ProcoreClient, mocked: responses.RequestsMock,
                                     clock: FakeClock) -> None:
    mocked.get(ME, body=requests.ConnectionError("reset"))
    mocked.get(ME, body=requests.ReadTimeout("read timed out"))
    mocked.get(ME, json=load("me"))
    assert client.me()["login"] == "dana.whitfield@example-gc.test"
    assert len(mocked.calls) == 3 and len(clock.sleeps) == 2


def test_a_post_is_not_resent_after_a_500(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.post(HOOKS, json=load("error_500"), status=500)
    with pytest.raises(ServerError):
        client.create_hook(COMPANY_ID, "gapline-coi", "https://gapline.example.test/webhooks/procore")
    assert len(mocked.calls) == 1  # a second hook would be created if the first had gone through


def test_a_post_is_resent_when_it_never_connected(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.post(HOOKS, body=requests.ConnectTimeout("connect timed out"))
    mocked.post(HOOKS, json=load("webhook_hook"), status=201)
    assert client.create_hook(COMPANY_ID, "gapline-coi", "https://gapline.example.test/webhooks/procore")["id"]
    assert len(mocked.calls) == 2


def test_429_with_retry_after_is_waited_out(client: ProcoreClient, mocked: responses.RequestsMock,
                                            clock: FakeClock) -> None:
    mocked.get(ME, json=load("error_429"), status=429, headers={"Retry-After": "12"})
    mocked.get(ME, json=load("me"))
    assert client.me()["id"] == 7340021
    assert clock.sleeps == [12.0]


def test_429_without_retry_after_waits_until_x_rate_limit_reset(client: ProcoreClient,
                                                               mocked: responses.RequestsMock,
                                                               clock: FakeClock) -> None:
    reset = int(clock.now()) + 9
    mocked.get(ME, json=load("error_429"), status=429, headers={
        "X-Rate-Limit-Limit": "25", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(reset)})
    mocked.get(ME, json=load("me"))
    client.me()
    assert sum(clock.sleeps) >= 9.0
    assert clock.now() >= reset


def test_503_with_retry_after_is_waited_out_even_for_a_post(client: ProcoreClient,
                                                           mocked: responses.RequestsMock,
                                                           clock: FakeClock) -> None:
    mocked.post(HOOKS, json={"message": "Service Unavailable"}, status=503, headers={"Retry-After": "30"})
    mocked.post(HOOKS, json=load("webhook_hook"), status=201)
    client.create_hook(COMPANY_ID, "gapline-coi", "https://gapline.example.test/webhooks/procore")
    assert clock.sleeps == [30.0]


def _manager(clock: FakeClock, store: MemoryTokenStore, **options) -> TokenManager:
    oauth = ProcoreOAuth("client-id", "client-secret", hosts=HOSTS, clock=clock.now)
    return TokenManager(store, oauth, clock=clock.now, **options)


def test_401_refreshes_once_and_retries_once(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    endpoint = FakeTokenEndpoint()
    mocked.add_callback(responses.POST, HOSTS.token_url, callback=endpoint)
    store = MemoryTokenStore()
    store.save("user:1", Token.from_response(load("oauth_token"), now=clock.now()))  # fresh, yet revoked
    client = ProcoreClient(_manager(clock, store).source("user:1"), hosts=HOSTS, sleep=clock.sleep,
                           clock=clock.now)
    mocked.get(ME, json=load("error_401"), status=401)
    mocked.get(ME, json=load("me"))
    assert client.me()["id"] == 7340021
    assert [call.request.headers["Authorization"] for call in mocked.calls if call.request.url == ME] == [
        "Bearer fake-access-aaaa0001", "Bearer fake-access-new0001"]
    assert len(endpoint.refresh_requests()) == 1
    assert store.fetch("user:1").refresh_token == "fake-refresh-new0001"


def test_a_second_401_is_final(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    endpoint = FakeTokenEndpoint()
    mocked.add_callback(responses.POST, HOSTS.token_url, callback=endpoint)
    store = MemoryTokenStore()
    store.save("user:1", Token.from_response(load("oauth_token"), now=clock.now()))
    client = ProcoreClient(_manager(clock, store).source("user:1"), hosts=HOSTS, sleep=clock.sleep,
                           clock=clock.now)
    mocked.get(ME, json=load("error_401"), status=401)
    with pytest.raises(AuthError) as caught:
        client.me()
    assert type(caught.value) is AuthError and caught.value.status == 401
    assert len([call for call in mocked.calls if call.request.url == ME]) == 2
    assert len(endpoint.refresh_requests()) == 1


def test_401_with_a_dead_refresh_token_asks_for_reconnection(mocked: responses.RequestsMock,
                                                             clock: FakeClock) -> None:
    endpoint = FakeTokenEndpoint()
    endpoint.valid_refresh_tokens.clear()
    mocked.add_callback(responses.POST, HOSTS.token_url, callback=endpoint)
    store = MemoryTokenStore()
    store.save("user:1", Token.from_response(load("oauth_token"), now=clock.now()))
    client = ProcoreClient(_manager(clock, store).source("user:1"), hosts=HOSTS, sleep=clock.sleep,
                           clock=clock.now)
    mocked.get(ME, json=load("error_401"), status=401)
    with pytest.raises(ReconnectRequired):
        client.me()
    assert len(endpoint.refresh_requests()) == 1
