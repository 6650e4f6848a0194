"""A Deadline bounds every call, retry and wait of a request together; running out is DeadlineExceeded."""

from __future__ import annotations

import pytest
import requests
import responses

from fixtures.procore import load
from procore_client import Deadline, DeadlineExceeded, ProcoreClient, ProcoreConnectionError, ProcoreOAuth, StaticToken

from .conftest import API, HOSTS, FakeClock

ME = f"{API}/rest/v1.0/me"


def slow(clock: FakeClock, seconds: float):
    """A Procore that needs ``seconds`` to answer: the call times out at its read timeout or at ``seconds``."""

    def answer(request):
        clock.advance(min(seconds, request.req_kwargs["timeout"][1]))
        raise requests.ReadTimeout("read timed out")

    return answer


def deadline_client(clock: FakeClock, seconds: float) -> ProcoreClient:
    return ProcoreClient(StaticToken("fake-access"), hosts=HOSTS, sleep=clock.sleep, clock=clock.now,
                         deadline=Deadline(seconds, clock=clock.now))


def test_each_call_gets_only_the_time_left(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    client = deadline_client(clock, 20)
    mocked.get(ME, json=load("me"))
    clock.advance(12)
    client.me()
    assert mocked.calls[0].request.req_kwargs["timeout"] == (5.0, pytest.approx(8.0))  # not 30 s


def test_a_slow_procore_stops_at_the_deadline_not_after_every_retry(mocked: responses.RequestsMock,
                                                                    clock: FakeClock) -> None:
    start = clock.now()
    client = deadline_client(clock, 20)
    mocked.add_callback(responses.GET, ME, callback=slow(clock, 8))
    with pytest.raises(DeadlineExceeded) as exceeded:
        client.me()
    assert isinstance(exceeded.value, ProcoreConnectionError)  # callers that handle connection errors still do
    assert len(mocked.calls) == 3  # 8 s, 8 s, then the rest; without a deadline: 4 tries of up to 30 s each
    assert clock.now() - start == pytest.approx(20)  # waits and retries included
    assert "within the 20 s this request may wait" in str(exceeded.value)


def test_a_wait_that_would_pass_the_deadline_is_not_taken(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    client = deadline_client(clock, 20)
    mocked.get(ME, status=503, headers={"Retry-After": "60"}, json={"errors": "busy"})
    with pytest.raises(DeadlineExceeded):
        client.me()
    assert clock.sleeps == [] and len(mocked.calls) == 1


def test_one_deadline_spans_the_oauth_exchange_and_the_rest_calls(mocked: responses.RequestsMock,
                                                                  clock: FakeClock) -> None:
    deadline = Deadline(10, clock=clock.now)
    oauth = ProcoreOAuth("id", "secret", hosts=HOSTS, redirect_uri="https://g.test/cb", deadline=deadline)
    mocked.add_callback(responses.POST, HOSTS.token_url, callback=lambda request: (
        clock.advance(9), (200, {}, '{"access_token": "a", "token_type": "bearer", "expires_in": 5400}'))[1])
    token = oauth.exchange_code("code")
    assert mocked.calls[0].request.req_kwargs["timeout"] == (5.0, 10.0)
    client = ProcoreClient(StaticToken(token.access_token), hosts=HOSTS, sleep=clock.sleep, clock=clock.now,
                           deadline=deadline)
    mocked.add_callback(responses.GET, ME, callback=slow(clock, 1))
    with pytest.raises(DeadlineExceeded):
        client.me()
    assert mocked.calls[1].request.req_kwargs["timeout"] == (pytest.approx(1.0), pytest.approx(1.0))


def test_without_a_deadline_calls_keep_their_own_timeout(client: ProcoreClient,
                                                         mocked: responses.RequestsMock) -> None:
    mocked.get(ME, json=load("me"))
    client.me()
    assert mocked.calls[0].request.req_kwargs["timeout"] == (5.0, 30.0)
