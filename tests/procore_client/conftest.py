"""Shared doubles for procore_client tests: a fake clock, a fake Procore token endpoint, a mocked API."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import responses

from fixtures.procore import load
from procore_client import ProcoreClient, ProcoreHosts, RetryPolicy, StaticToken

HOSTS = ProcoreHosts.production()
API = HOSTS.api
COMPANY_ID = 4812


class FakeClock:
    """A clock that only moves when someone sleeps (or a test advances it); sleeps are recorded."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class FakeTokenEndpoint:
    """Procore's POST /oauth/token with single-use, rotating refresh tokens."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.valid_refresh_tokens = {"fake-refresh-rrrr0001"}
        self.requests: list[dict[str, str]] = []
        self.issued = 0
        self.delay = delay
        self._lock = threading.Lock()

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        form = {key: values[0] for key, values in parse_qs(request.body).items()}
        with self._lock:
            self.requests.append(form)
        if self.delay:
            threading.Event().wait(self.delay)  # widen the race window for concurrency tests
        if form.get("grant_type") == "client_credentials":
            return 200, {}, json.dumps(load("oauth_client_credentials"))
        with self._lock:
            if form.get("refresh_token") not in self.valid_refresh_tokens:
                return 400, {}, json.dumps(load("oauth_invalid_grant"))
            self.valid_refresh_tokens.discard(form["refresh_token"])  # single-use, dies at once
            self.issued += 1
            access, refresh = f"fake-access-new{self.issued:04d}", f"fake-refresh-new{self.issued:04d}"
            self.valid_refresh_tokens.add(refresh)
        body = dict(load("oauth_token_refreshed"), access_token=access, refresh_token=refresh)
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def refresh_requests(self) -> list[dict[str, str]]:
        return [form for form in self.requests if form.get("grant_type") == "refresh_token"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def client(clock: FakeClock) -> ProcoreClient:
    """A client with a fixed token, a fake clock and jitter switched off (random() == 0)."""
    return ProcoreClient(StaticToken("fake-access-aaaa0001"), hosts=HOSTS, sleep=clock.sleep, clock=clock.now,
                         retry=RetryPolicy(random=lambda: 0.0))


def page_headers(url: str | None, *, total: int, per_page: int) -> dict[str, str]:
    """Return Procore's pagination headers for a page whose next page is at `url`."""
    headers = {"Total": str(total), "Per-Page": str(per_page)}
    if url:
        headers["Link"] = f'<{url}>; rel="next", <{url}>; rel="last"'
    return headers


@pytest.fixture
def procore_redis(redis_conn: Any) -> Any:
    """The suite's real Redis (found or privately started by the root conftest), flushed around the test."""
    return redis_conn
