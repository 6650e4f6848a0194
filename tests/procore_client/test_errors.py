"""Every non-2xx answer becomes its typed error, carrying what Procore said."""

from __future__ import annotations

import pytest
import requests
import responses

from fixtures.procore import load
from procore_client import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    ProcoreClient,
    ProcoreConnectionError,
    ProcoreError,
    RateLimitedError,
    ReconnectRequired,
    RetryPolicy,
    ServerError,
    ValidationError,
)
from procore_client.errors import error_message, field_errors

from .conftest import API, COMPANY_ID

ME = f"{API}/rest/v1.0/me"


def test_hierarchy() -> None:
    for error in (AuthError, ForbiddenError, NotFoundError, ValidationError, RateLimitedError, ServerError,
                  ProcoreConnectionError):
        assert issubclass(error, ProcoreError)
    assert issubclass(ReconnectRequired, AuthError)


@pytest.mark.parametrize(("status", "fixture", "error", "message"), [
    (403, "error_403", ForbiddenError, "App is not connected to this company"),
    (404, "error_404", NotFoundError, "404 Not Found"),
    (400, "error_404", ProcoreError, "404 Not Found"),
])
def test_status_maps_to_typed_error(client: ProcoreClient, mocked: responses.RequestsMock, status: int,
                                    fixture: str, error: type[ProcoreError], message: str) -> None:
    mocked.get(ME, json=load(fixture), status=status)
    with pytest.raises(error) as caught:
        client.me()
    assert type(caught.value) is error
    assert caught.value.status == status and message in str(caught.value)
    assert len(mocked.calls) == 1  # client errors are never retried


def test_401_after_one_renewal_is_an_auth_error(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(ME, json=load("error_401"), status=401)
    with pytest.raises(AuthError) as caught:
        client.me()
    assert caught.value.body["message"] == "The access token is invalid"


def test_422_carries_procore_field_errors(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    url = f"{API}/rest/v1.0/companies/{COMPANY_ID}/insurances/sync"
    mocked.patch(url, json=load("error_422"), status=422)
    with pytest.raises(ValidationError) as caught:
        client.sync_insurances(COMPANY_ID, [{"vendor_id": 5510001, "origin_id": "gapline:1"}])
    assert caught.value.field_errors == {"expiration_date": ["must be after effective date"],
                                         "insurance_type": ["can't be blank"]}
    assert "expiration_date: must be after effective date" in str(caught.value)


def test_429_beyond_the_allowed_waits_carries_retry_after_and_reset(
        client: ProcoreClient, mocked: responses.RequestsMock, clock) -> None:
    reset = int(clock.now()) + 7
    mocked.get(ME, json=load("error_429"), status=429,
               headers={"Retry-After": "7", "X-Rate-Limit-Reset": str(reset), "X-Rate-Limit-Remaining": "0"})
    with pytest.raises(RateLimitedError) as caught:
        client.me()
    assert caught.value.retry_after == 7 and caught.value.reset == reset
    assert len(mocked.calls) == 1 + RetryPolicy().max_rate_waits


def test_5xx_after_the_allowed_retries_is_a_server_error(client: ProcoreClient,
                                                         mocked: responses.RequestsMock) -> None:
    mocked.get(ME, json=load("error_500"), status=500)
    with pytest.raises(ServerError, match="Something went wrong"):
        client.me()
    assert len(mocked.calls) == RetryPolicy().max_attempts


def test_unreachable_procore_is_a_connection_error(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(ME, body=requests.ConnectionError("connection reset by peer"))
    with pytest.raises(ProcoreConnectionError, match="connection reset by peer"):
        client.me()


@pytest.mark.parametrize(("body", "expected"), [
    ({"errors": "Missing Procore-Company-Id header!"}, "Missing Procore-Company-Id header!"),
    ({"message": "The access token is invalid"}, "The access token is invalid"),
    ({"error": "invalid_token"}, "invalid_token"),
    ({"error": {"code": "x", "message": "v2 style", "details": {}}}, "v2 style"),
    ("<html>Bad gateway</html>", "<html>Bad gateway</html>"),
    (None, "fallback"),
])
def test_error_message_reads_every_body_shape(body: object, expected: str) -> None:
    assert error_message(body, "fallback") == expected


def test_field_errors_from_v2_details_and_plain_lists() -> None:
    assert field_errors({"error": {"code": "unprocessable", "message": "m", "details": {"limit": "too big"}}}) == {
        "limit": ["too big"]}
    assert field_errors({"errors": ["Name has already been taken"]}) == {"base": ["Name has already been taken"]}
