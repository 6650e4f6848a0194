"""One requests.Session to Procore's REST API with timeouts, retries, pacing and 401 renewal."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from .deadline import Deadline
from .errors import ProcoreConnectionError, error_for_response
from .hosts import DEFAULT_TIMEOUT, ProcoreHosts
from .pagination import Page, Paginated
from .ratelimit import InMemoryRateBudget, RateBudget, RateLimitHeaders
from .retry import RetryPolicy
from .token_manager import TokenSource

log = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
USER_AGENT = "gapline-procore-client/0.1 (python-requests)"


@dataclass
class CallStats:
    """The calls this transport sent and Procore answered (every retry counts: each one spends the budget)."""

    reads: int = 0
    writes: int = 0
    http_429: int = 0

    @property
    def total(self) -> int:
        """Every answered call."""
        return self.reads + self.writes

    def to_dict(self) -> dict[str, int]:
        """Plain-data form, as sync runs record it."""
        return {"read_calls": self.reads, "write_calls": self.writes, "http_429": self.http_429}


class ProcoreTransport:
    """Sends authorized requests to the Procore API and turns failures into typed errors.

    Every call carries a (connect, read) timeout and, when scoped to a company, the
    `Procore-Company-Id` header. Connection errors and 5xx are retried with jittered backoff
    (for idempotent methods; a POST only when it never connected); 429, and 503 with a wait
    header, are waited out; a 401 renews the token once and retries once. Before each send the
    shared RateBudget may hold the call back so that workers slow down before Procore says 429.
    A Deadline, when given, bounds every call and wait of this transport together.
    """

    def __init__(self, tokens: TokenSource, *, hosts: ProcoreHosts | None = None,
                 session: requests.Session | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 retry: RetryPolicy | None = None, budget: RateBudget | None = None, budget_scope: str = "app",
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 deadline: Deadline | None = None) -> None:
        self.tokens = tokens
        self.deadline = deadline
        self.hosts = hosts or ProcoreHosts.production()
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
        self.session = session
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.budget = budget or InMemoryRateBudget(clock=clock, sleep=sleep)
        self.budget_scope = budget_scope
        self.sleep = sleep
        self.clock = clock
        self.stats = CallStats()

    def request(self, method: str, path: str, *, company_id: int | None = None,
                params: dict[str, Any] | None = None, json: Any = None) -> requests.Response:
        """Send one call (retrying as allowed) and return its 2xx response, or raise a ProcoreError."""
        call = _Call(method.upper(), urljoin(self.hosts.api + "/", path.lstrip("/")), company_id, params, json)
        call.token = self.tokens.access_token()
        while True:
            response = self._send(call)
            if response is None:  # a connection error, already waited for
                continue
            if response.ok:
                return response
            if not self._retry_after_failure(call, response):
                limits = RateLimitHeaders.parse(response.headers, now=self.clock())
                raise error_for_response(response, retry_after=limits.retry_after, reset=limits.reset)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one call and return its decoded JSON body (None for an empty body)."""
        response = self.request(method, path, **kwargs)
        return response.json() if response.content else None

    def paginate(self, path: str, *, company_id: int | None = None, params: dict[str, Any] | None = None,
                 per_page: int | None = None) -> Paginated:
        """Return a lazy iterator over every item of a list endpoint."""
        query = dict(params or {})
        if per_page is not None:
            query["per_page"] = per_page

        def fetch(url: str, page_params: dict[str, Any] | None) -> Page:
            return Page.from_response(self.request("GET", url, company_id=company_id, params=page_params))

        return Paginated(fetch, path, query)

    def _send(self, call: _Call) -> requests.Response | None:
        """Send once; return None when a connection error may be retried (after sleeping)."""
        key = f"{self.budget_scope}:{call.company_id if call.company_id is not None else '-'}"
        ticket = self.budget.acquire(key)
        timeout = self.deadline.timeout(self.timeout, call.doing()) if self.deadline else self.timeout
        try:
            response = self.session.request(call.method, call.url, params=call.params, json=call.json,
                                            headers=call.headers(), timeout=timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            call.failures += 1
            if self.deadline and self.deadline.left() <= 0:
                raise self.deadline.exceeded(call.doing()) from exc
            if not self._retries_connection_error(call.method, exc, call.failures):
                raise ProcoreConnectionError(f"{call.method} {call.url} failed: {exc}") from exc
            log.info("Procore connection error on %s %s (%s); retrying", call.method, call.url, exc)
            self._pause(self.retry.backoff(call.failures), call)
            return None
        self.budget.record(key, ticket, RateLimitHeaders.parse(response.headers, now=self.clock()))
        self._count(call.method, response.status_code)
        return response

    def _count(self, method: str, status: int) -> None:
        if method in READ_METHODS:
            self.stats.reads += 1
        else:
            self.stats.writes += 1
        if status == 429:
            self.stats.http_429 += 1

    def _retry_after_failure(self, call: _Call, response: requests.Response) -> bool:
        """Decide whether a failed answer is worth another try, waiting or renewing first if so."""
        status = response.status_code
        if status == 401:
            return self._renew_once(call)
        wait = self._rate_wait(status, RateLimitHeaders.parse(response.headers, now=self.clock()))
        if wait is not None and call.rate_waits < self.retry.max_rate_waits and wait <= self.retry.max_wait:
            call.rate_waits += 1
            log.info("Procore %s on %s %s; waiting %.1fs", status, call.method, call.url, wait)
            self._pause(wait, call)
            return True
        if status >= 500 and self.retry.retries_failure(call.method, call.failures + 1):
            call.failures += 1
            self._pause(self.retry.backoff(call.failures), call)
            return True
        return False

    def _pause(self, seconds: float, call: _Call) -> None:
        """Wait before another try, unless the deadline would pass first."""
        if self.deadline and not self.deadline.allows(seconds):
            raise self.deadline.exceeded(call.doing())
        self.sleep(seconds)

    def _renew_once(self, call: _Call) -> bool:
        """After a 401, swap in a renewed token once; a second 401 is final."""
        if call.renewed:
            return False
        call.renewed = True
        fresh = self.tokens.refresh_after_unauthorized(call.token)
        if fresh is None:
            return False
        call.token = fresh
        return True

    def _retries_connection_error(self, method: str, exc: Exception, attempt: int) -> bool:
        # A POST that never connected was not received, so it is safe to send again.
        never_sent = isinstance(exc, requests.ConnectTimeout)
        return attempt < self.retry.max_attempts and (never_sent or self.retry.retries_failure(method, attempt))

    def _rate_wait(self, status: int, limits: RateLimitHeaders) -> float | None:
        """Return how long to wait before retrying a 429 or a 503, or None if not to wait."""
        wait = limits.wait(self.clock()) if status in (429, 503) else None
        if status == 429 and wait is None:
            wait = self.retry.backoff(1)  # a 429 without headers: still back off before retrying
        return None if wait is None else wait + self.retry.jitter()


class _Call:
    """One logical call and its retry bookkeeping: the token in use and the failures so far."""

    def __init__(self, method: str, url: str, company_id: int | None, params: dict[str, Any] | None,
                 json: Any) -> None:
        self.method, self.url, self.company_id, self.params, self.json = method, url, company_id, params, json
        self.token = ""
        self.renewed = False
        self.failures = 0
        self.rate_waits = 0

    def doing(self) -> str:
        """What this call does, for log lines and deadline errors."""
        return f"to {self.method} {urlsplit(self.url).path}"

    def headers(self) -> dict[str, str]:
        """Return the per-request headers: bearer token and, when scoped, Procore-Company-Id."""
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if self.company_id is not None:
            headers["Procore-Company-Id"] = str(self.company_id)
        return headers
