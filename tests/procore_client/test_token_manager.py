"""TokenManager: early refresh, one refresh per connection at a time, and no retry loop on invalid_grant."""

from __future__ import annotations

import threading

import pytest
import responses

from fixtures.procore import load
from procore_client import (
    MemoryTokenStore,
    ProcoreClient,
    ProcoreOAuth,
    ReconnectRequired,
    ThreadLockProvider,
    Token,
    TokenManager,
)
from procore_client.locks import LockProvider

from .conftest import API, HOSTS, FakeClock, FakeTokenEndpoint

KEY = "company:4812:user:7340021"


def _expired_token(clock: FakeClock) -> Token:
    return Token.from_response(load("oauth_token"), now=clock.now() - 6000)


def _manager(clock: FakeClock, store: MemoryTokenStore, **options) -> TokenManager:
    oauth = ProcoreOAuth("client-id", "client-secret", hosts=HOSTS, clock=clock.now)
    return TokenManager(store, oauth, clock=clock.now, **options)


@pytest.fixture
def endpoint(mocked: responses.RequestsMock) -> FakeTokenEndpoint:
    fake = FakeTokenEndpoint()
    mocked.add_callback(responses.POST, HOSTS.token_url, callback=fake)
    return fake


def test_a_fresh_token_is_used_without_refreshing(endpoint: FakeTokenEndpoint, clock: FakeClock) -> None:
    store = MemoryTokenStore()
    store.save(KEY, Token.from_response(load("oauth_token"), now=clock.now()))
    assert _manager(clock, store).access_token(KEY) == "fake-access-aaaa0001"
    assert endpoint.requests == []


def test_refreshes_five_minutes_before_expiry_and_saves_the_new_pair(endpoint: FakeTokenEndpoint,
                                                                      clock: FakeClock) -> None:
    store = MemoryTokenStore()
    store.save(KEY, Token.from_response(load("oauth_token"), now=clock.now()))
    manager = _manager(clock, store)
    clock.advance(5400 - 301)
    assert manager.access_token(KEY) == "fake-access-aaaa0001"
    clock.advance(2)
    assert manager.access_token(KEY) == "fake-access-new0001"
    assert store.fetch(KEY).refresh_token == "fake-refresh-new0001"
    assert len(endpoint.refresh_requests()) == 1


class _SlowLocks:
    """A ThreadLockProvider that holds every thread at a barrier first, so all 20 race for the lock."""

    def __init__(self, parties: int) -> None:
        self._inner = ThreadLockProvider()
        self._barrier = threading.Barrier(parties, timeout=30)

    def lock(self, key: str):
        self._barrier.wait()
        return self._inner.lock(key)


def _run_threads(count: int, work) -> list[object]:
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            results[index] = work()
        except Exception as exc:  # noqa: BLE001 - reported through results
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_twenty_threads_needing_a_refresh_cause_exactly_one(mocked: responses.RequestsMock,
                                                            clock: FakeClock) -> None:
    endpoint = FakeTokenEndpoint(delay=0.05)  # a slow token endpoint widens the race
    mocked.add_callback(responses.POST, HOSTS.token_url, callback=endpoint)
    seen: list[str] = []
    mocked.add_callback(responses.GET, f"{API}/rest/v1.0/me",
                        callback=lambda request: (seen.append(request.headers["Authorization"]) or
                                                  (200, {}, '{"id": 7340021}')))
    store = MemoryTokenStore()
    store.save(KEY, _expired_token(clock))
    manager = _manager(clock, store, locks=_SlowLocks(20))
    client = ProcoreClient(manager.source(KEY), hosts=HOSTS, sleep=clock.sleep, clock=clock.now)

    results = _run_threads(20, client.me)

    assert results == [{"id": 7340021}] * 20
    assert len(endpoint.refresh_requests()) == 1
    assert seen == ["Bearer fake-access-new0001"] * 20
    assert store.fetch(KEY).access_token == "fake-access-new0001"


def test_without_serialization_the_race_is_real(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    """Control for the test above: with a lock that locks nothing, several refreshes get through and fail."""

    class NoLocks:
        def __init__(self) -> None:
            self._barrier = threading.Barrier(5, timeout=30)

        def lock(self, key: str):
            self._barrier.wait()
            return threading.Lock()  # a new lock per caller serializes nothing

    endpoint = FakeTokenEndpoint(delay=0.3)
    mocked.add_callback(responses.POST, HOSTS.token_url, callback=endpoint)
    store = MemoryTokenStore()
    store.save(KEY, _expired_token(clock))
    locks: LockProvider = NoLocks()
    manager = _manager(clock, store, locks=locks)
    results = _run_threads(5, lambda: manager.access_token(KEY))
    refreshes = len(endpoint.refresh_requests())
    assert refreshes >= 2  # the same single-use refresh token was spent more than once
    assert sum(isinstance(result, ReconnectRequired) for result in results) == refreshes - 1


def test_used_refresh_token_asks_for_reconnection_once_and_never_loops(endpoint: FakeTokenEndpoint,
                                                                       clock: FakeClock) -> None:
    store = MemoryTokenStore()
    store.save(KEY, _expired_token(clock))
    disconnected: list[tuple[str, ReconnectRequired]] = []
    manager = _manager(clock, store, on_invalid_grant=lambda key, error: disconnected.append((key, error)))
    assert manager.access_token(KEY) == "fake-access-new0001"  # uses, and so kills, fake-refresh-rrrr0001

    store.save(KEY, _expired_token(clock))  # e.g. a stale copy restored from elsewhere: the old pair
    with pytest.raises(ReconnectRequired):
        manager.access_token(KEY)

    assert [form["refresh_token"] for form in endpoint.refresh_requests()] == [
        "fake-refresh-rrrr0001", "fake-refresh-rrrr0001"]
    assert [key for key, _ in disconnected] == [KEY]
    assert store.fetch(KEY) is None
    with pytest.raises(ReconnectRequired):  # later calls fail fast, without asking Procore again
        manager.access_token(KEY)
    assert len(endpoint.refresh_requests()) == 2 and len(disconnected) == 1


def test_after_a_401_a_token_refreshed_by_someone_else_is_reused(endpoint: FakeTokenEndpoint,
                                                                 clock: FakeClock) -> None:
    store = MemoryTokenStore()
    manager = _manager(clock, store)
    store.save(KEY, Token.from_response(load("oauth_token_refreshed"), now=clock.now()))
    endpoint.valid_refresh_tokens = {"fake-refresh-rrrr0002"}
    assert manager.refresh_after_unauthorized(KEY, rejected="fake-access-aaaa0001") == "fake-access-aaaa0002"
    assert endpoint.requests == []
    assert manager.refresh_after_unauthorized(KEY, rejected="fake-access-aaaa0002") != "fake-access-aaaa0002"


def test_client_credentials_connection_fetches_a_new_token_when_expired(endpoint: FakeTokenEndpoint,
                                                                        clock: FakeClock) -> None:
    store = MemoryTokenStore()
    manager = _manager(clock, store, client_credentials=True)
    assert manager.access_token("dmsa") == "fake-dmsa-access-cccc0001"
    assert manager.access_token("dmsa") == "fake-dmsa-access-cccc0001"
    clock.advance(5400)
    manager.access_token("dmsa")
    assert [form["grant_type"] for form in endpoint.requests] == ["client_credentials", "client_credentials"]


def test_a_connection_with_no_token_needs_reconnection_without_a_call(endpoint: FakeTokenEndpoint,
                                                                      clock: FakeClock) -> None:
    called: list[str] = []
    manager = _manager(clock, MemoryTokenStore(), on_invalid_grant=lambda key, error: called.append(key))
    with pytest.raises(ReconnectRequired, match="no refreshable Procore token"):
        manager.access_token(KEY)
    assert endpoint.requests == [] and called == []
