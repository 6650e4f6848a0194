"""Workers sharing one company's limit slow down before Procore answers 429."""

from __future__ import annotations

import json
import math
import threading
from collections import Counter

import pytest
import responses

from procore_client import (
    InMemoryRateBudget,
    NullRateBudget,
    ProcoreClient,
    RateBudget,
    RateLimitedError,
    RateLimitHeaders,
    RetryPolicy,
    StaticToken,
)
from procore_client.ratelimit import BudgetState, observe, take

from .conftest import API, COMPANY_ID, HOSTS, FakeClock

PROJECTS = f"{API}/rest/v1.0/projects"


class SpikeWindowServer:
    """Procore's spike limit on a fake clock: `limit` requests per fixed `window` seconds, then 429."""

    def __init__(self, clock: FakeClock, *, limit: int = 25, window: float = 10.0, cost: float = 0.02,
                 latency: float = 0.003) -> None:
        self.clock, self.limit, self.window, self.cost, self.latency = clock, limit, window, cost, latency
        self.counts: Counter[float] = Counter()
        self.served = 0
        self.rejected = 0
        self._lock = threading.Lock()

    def __call__(self, request: object) -> tuple[int, dict[str, str], str]:
        with self._lock:
            self.clock.advance(self.cost)  # each request takes a little (fake) time
            start = math.floor(self.clock.now() / self.window) * self.window
            headers = {"X-Rate-Limit-Limit": str(self.limit), "X-Rate-Limit-Reset": str(int(start + self.window))}
            if self.counts[start] >= self.limit:
                self.rejected += 1
                return 429, {**headers, "X-Rate-Limit-Remaining": "0"}, json.dumps({"message": "slow down"})
            self.counts[start] += 1
            self.served += 1
            remaining = self.limit - self.counts[start]
        # Keep the answer in flight for a moment of real time, so the other workers really do
        # send requests before this answer's headers arrive (as they would against Procore).
        threading.Event().wait(self.latency)
        return 200, {**headers, "X-Rate-Limit-Remaining": str(remaining)}, json.dumps([{"id": 2290001}])


def _run_workers(clock: FakeClock, budget: RateBudget, *, workers: int, each: int) -> list[int]:
    done = [0] * workers

    def work(index: int) -> None:
        client = ProcoreClient(StaticToken("fake-dmsa-access-cccc0001"), hosts=HOSTS, budget=budget,
                               budget_scope="gapline", sleep=clock.sleep, clock=clock.now,
                               retry=RetryPolicy(max_rate_waits=1000, random=lambda: 0.0))
        for _ in range(each):
            client.list_projects(COMPANY_ID).all()
            done[index] += 1

    threads = [threading.Thread(target=work, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return done


def test_three_workers_sharing_a_budget_never_hit_the_spike_limit(mocked: responses.RequestsMock,
                                                                  clock: FakeClock) -> None:
    server = SpikeWindowServer(clock)
    mocked.add_callback(responses.GET, PROJECTS, callback=server)
    budget = InMemoryRateBudget(reserve=3, clock=clock.now, sleep=clock.sleep)

    done = _run_workers(clock, budget, workers=3, each=40)

    assert done == [40, 40, 40]
    assert server.served == 120
    assert server.rejected == 0
    assert max(server.counts.values()) <= 25
    assert len(server.counts) >= 5  # the work really spanned several windows
    assert any(wait > 1 for wait in clock.sleeps)  # the budget made workers wait for the reset


def test_without_pacing_the_same_load_is_rejected(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    """Control for the test above: the simulated server does refuse this load when nobody paces it."""
    server = SpikeWindowServer(clock)
    mocked.add_callback(responses.GET, PROJECTS, callback=server)
    done = _run_workers(clock, NullRateBudget(), workers=3, each=40)
    assert done == [40, 40, 40]
    assert server.rejected > 0


def _headers(remaining: int, reset: float, limit: int = 25) -> RateLimitHeaders:
    return RateLimitHeaders(limit=limit, remaining=remaining, reset=reset)


def test_take_holds_back_the_reserve_then_waits_for_the_reset() -> None:
    state = observe(BudgetState(seq=1), 1, _headers(remaining=5, reset=110.0))
    tickets = []
    for _ in range(5):
        state, ticket, wait = take(state, 100.0, reserve=3, slack=0.5, assumed_window=10.0)
        tickets.append(ticket)
    assert tickets == [2, 3, None, None, None]
    assert wait == pytest.approx(10.5)
    state, ticket, wait = take(state, 110.5, reserve=3, slack=0.5, assumed_window=10.0)
    assert ticket == 4 and state.remaining == 24  # a new window: the full limit, less this request


def test_observe_counts_requests_sent_after_the_answered_one() -> None:
    state = BudgetState(limit=25, remaining=20.0, reset=110.0, seq=10)
    state = observe(state, 7, _headers(remaining=19, reset=110.0))
    assert state.remaining == 16  # 19 reported, minus 3 sent since ticket 7 and maybe not yet counted


def test_observe_ignores_late_answers_from_a_window_already_over() -> None:
    state = BudgetState(limit=25, remaining=25.0, reset=110.0, passed=110.0, seq=30)
    assert observe(state, 29, _headers(remaining=24, reset=110.0)).remaining == 25.0
    assert observe(state, 29, _headers(remaining=20, reset=120.0)).remaining == 19.0


def test_a_window_that_would_take_too_long_raises_instead_of_sleeping(clock: FakeClock) -> None:
    budget = InMemoryRateBudget(clock=clock.now, sleep=clock.sleep, max_wait=60.0)
    ticket = budget.acquire("gapline:4812")
    budget.record("gapline:4812", ticket, _headers(remaining=0, reset=clock.now() + 3000, limit=600))
    with pytest.raises(RateLimitedError) as caught:
        budget.acquire("gapline:4812")
    assert caught.value.reset == pytest.approx(clock.now() + 3000.5)
    assert clock.sleeps == []


def test_rate_limit_headers_parse_retry_after_as_seconds_or_date() -> None:
    assert RateLimitHeaders.parse({"Retry-After": "30"}, now=0).retry_after == 30
    dated = RateLimitHeaders.parse({"Retry-After": "Thu, 01 Jan 2026 00:00:30 GMT"}, now=1_767_225_600.0)
    assert dated.retry_after == pytest.approx(30)
    assert RateLimitHeaders.parse({"X-Rate-Limit-Reset": "soon"}, now=0) == RateLimitHeaders()
