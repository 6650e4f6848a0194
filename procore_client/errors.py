"""The typed errors a Procore call can raise, and the mapping from an HTTP response to them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests


class ProcoreError(Exception):
    """Base class for every error this library raises."""

    def __init__(self, message: str, *, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


class AuthError(ProcoreError):
    """401: the access token is missing, expired or invalid, or an OAuth grant failed."""


class ReconnectRequired(AuthError):
    """The refresh token is dead (`invalid_grant`): a person must connect the app again."""


class ForbiddenError(ProcoreError):
    """403: no permission, the app is not installed, or the tool is disabled."""


class NotFoundError(ProcoreError):
    """404: not found, which Procore also answers when the caller may not read the resource."""


class ValidationError(ProcoreError):
    """422: Procore refused the write; `field_errors` maps each field to its messages."""

    def __init__(self, message: str, *, status: int | None = None, body: Any = None,
                 field_errors: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(message, status=status, body=body)
        self.field_errors: dict[str, list[str]] = dict(field_errors or {})


class RateLimitedError(ProcoreError):
    """429 (or 503 with Retry-After) still failing after the allowed waits."""

    def __init__(self, message: str, *, status: int | None = None, body: Any = None,
                 retry_after: float | None = None, reset: float | None = None) -> None:
        super().__init__(message, status=status, body=body)
        self.retry_after = retry_after
        self.reset = reset


class ServerError(ProcoreError):
    """5xx from Procore after the allowed retries."""


class ProcoreConnectionError(ProcoreError):
    """The request never got an HTTP answer: DNS, refused connection, reset or timeout."""


def error_message(body: Any, default: str) -> str:
    """Return the human message from any of Procore's error body shapes."""
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping) and error.get("message"):
            return str(error["message"])
        for key in ("message", "error_description", "error", "errors"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        if isinstance(body.get("errors"), Mapping):
            return "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in field_errors(body).items())
    if isinstance(body, str) and body.strip():
        return body.strip()[:500]
    return default


def field_errors(body: Any) -> dict[str, list[str]]:
    """Return Procore's field -> [messages] map from a 422 body, whichever shape it came in."""
    if not isinstance(body, Mapping):
        return {}
    errors = body.get("errors")
    if errors is None and isinstance(body.get("error"), Mapping):
        errors = body["error"].get("details")
    if isinstance(errors, Mapping):
        return {str(field): _as_messages(msgs) for field, msgs in errors.items()}
    if isinstance(errors, list):
        return {"base": [str(message) for message in errors]}
    if isinstance(errors, str):
        return {"base": [errors]}
    return {}


def _as_messages(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def response_body(response: requests.Response) -> Any:
    """Return the JSON body of a response, or its text when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return response.text


def error_for_response(response: requests.Response, *, retry_after: float | None = None,
                       reset: float | None = None) -> ProcoreError:
    """Build the typed error for a non-2xx response."""
    status = response.status_code
    body = response_body(response)
    message = f"{status} {response.request.method} {response.url}: " + error_message(body, response.reason or "")
    if status == 401:
        return AuthError(message, status=status, body=body)
    if status == 403:
        return ForbiddenError(message, status=status, body=body)
    if status == 404:
        return NotFoundError(message, status=status, body=body)
    if status == 422:
        return ValidationError(message, status=status, body=body, field_errors=field_errors(body))
    if status == 429:
        return RateLimitedError(message, status=status, body=body, retry_after=retry_after, reset=reset)
    if status >= 500:
        return ServerError(message, status=status, body=body)
    return ProcoreError(message, status=status, body=body)
