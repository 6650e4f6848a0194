"""Properties that must hold for any input: batching and the pacing arithmetic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from procore_client.ratelimit import BudgetState, RateLimitHeaders, observe, take
from procore_client.sync import batches


@given(count=st.integers(min_value=0, max_value=3500), size=st.integers(min_value=1, max_value=1000))
def test_batches_keep_order_and_never_exceed_the_size(count: int, size: int) -> None:
    updates = [{"origin_id": str(index)} for index in range(count)]
    chunks = list(batches(updates, size))
    assert all(1 <= len(chunk) <= size for chunk in chunks)
    assert [item for chunk in chunks for item in chunk] == updates


@given(limit=st.integers(min_value=1, max_value=200), used=st.integers(min_value=0, max_value=200),
       reserve=st.integers(min_value=0, max_value=10), attempts=st.integers(min_value=0, max_value=400))
def test_within_one_window_take_never_lets_through_more_than_reported(limit: int, used: int, reserve: int,
                                                                      attempts: int) -> None:
    remaining = max(0, limit - used)
    state = observe(BudgetState(seq=1), 1, RateLimitHeaders(limit=limit, remaining=remaining, reset=1010.0))
    granted = 0
    for step in range(attempts):
        state, ticket, wait = take(state, 1000.0 + step * 0.01, reserve=reserve, slack=0.5, assumed_window=10.0)
        if ticket is None:
            assert wait > 0
        else:
            granted += 1
    held_back = min(reserve, limit - 1)
    assert granted == min(attempts, max(0, remaining - held_back))
    assert granted <= remaining
