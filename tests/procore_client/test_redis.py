"""The Redis-backed rate budget and refresh lock, against a real Redis shared by several "processes"."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import responses

from fixtures.procore import load
from procore_client import (
    MemoryTokenStore,
    ProcoreOAuth,
    RateLimitHeaders,
    RedisLockProvider,
    RedisRateBudget,
    Token,
    TokenManager,
)

from .conftest import HOSTS, FakeClock, FakeTokenEndpoint
from .test_pacing import PROJECTS, SpikeWindowServer, _run_workers

pytestmark = pytest.mark.integration

KEY = "company:4812:user:7340021"


def _fresh_connection(redis: Any) -> Any:
    """A separate connection to the same db, as another process would have."""
    return redis.__class__(**redis.connection_pool.connection_kwargs)


def test_budget_state_is_shared_through_redis(procore_redis: Any, clock: FakeClock) -> None:
    first = RedisRateBudget(procore_redis, clock=clock.now, sleep=clock.sleep)
    second = RedisRateBudget(_fresh_connection(procore_redis), clock=clock.now, sleep=clock.sleep)
    ticket = first.acquire("gapline:4812")
    first.record("gapline:4812", ticket, RateLimitHeaders(limit=25, remaining=24, reset=clock.now() + 10))
    second.acquire("gapline:4812")
    state = first.state("gapline:4812")
    assert (state.limit, state.remaining, state.seq) == (25, 23.0, 2)
    assert 0 < procore_redis.ttl("procore:rate:gapline:4812") <= 7200


def test_three_workers_pacing_through_redis_never_hit_the_spike_limit(procore_redis: Any,
                                                                      mocked: responses.RequestsMock,
                                                                      clock: FakeClock) -> None:
    server = SpikeWindowServer(clock)
    mocked.add_callback(responses.GET, PROJECTS, callback=server)
    budget = RedisRateBudget(procore_redis, reserve=3, clock=clock.now, sleep=clock.sleep)
    done = _run_workers(clock, budget, workers=3, each=30)
    assert done == [30, 30, 30]
    assert server.rejected == 0 and server.served == 90
    assert len(server.counts) >= 4


def test_redis_lock_serializes_refresh_across_managers(procore_redis: Any, mocked: responses.RequestsMock,
                                                       clock: FakeClock) -> None:
    endpoint = FakeTokenEndpoint(delay=0.05)
    mocked.add_callback(responses.POST, HOSTS.token_url, callback=endpoint)
    store = MemoryTokenStore()  # stands in for the shared database table
    store.save(KEY, Token.from_response(load("oauth_token"), now=clock.now() - 6000))
    oauth = ProcoreOAuth("client-id", "client-secret", hosts=HOSTS, clock=clock.now)
    barrier = threading.Barrier(10, timeout=30)
    results: list[str] = []

    def worker() -> None:
        manager = TokenManager(store, oauth, locks=RedisLockProvider(_fresh_connection(procore_redis)),
                               clock=clock.now)
        barrier.wait()
        results.append(manager.access_token(KEY))

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == ["fake-access-new0001"] * 10
    assert len(endpoint.refresh_requests()) == 1


def test_redis_lock_held_elsewhere_times_out(procore_redis: Any) -> None:
    held = procore_redis.lock("procore:token-lock:" + KEY, timeout=30)
    assert held.acquire(blocking=False)
    try:
        provider = RedisLockProvider(_fresh_connection(procore_redis), blocking_timeout=0.1)
        with pytest.raises(TimeoutError, match=KEY):
            with provider.lock(KEY):
                pass
    finally:
        held.release()
