"""A Flask-free client for Procore: OAuth tokens, the REST client, errors, pagination, pacing, retries."""

from __future__ import annotations

from .client import ProcoreClient, time_range
from .deadline import Deadline, DeadlineExceeded
from .errors import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    ProcoreConnectionError,
    ProcoreError,
    RateLimitedError,
    ReconnectRequired,
    ServerError,
    ValidationError,
)
from .hosts import ProcoreHosts
from .locks import LockProvider, RedisLockProvider, ThreadLockProvider
from .oauth import ProcoreOAuth
from .pagination import Page, Paginated
from .ratelimit import InMemoryRateBudget, NullRateBudget, RateBudget, RateLimitHeaders
from .redis_budget import RedisRateBudget
from .retry import RetryPolicy
from .sync import SyncResult
from .token_manager import ConnectionTokens, StaticToken, TokenManager, TokenSource
from .tokens import MemoryTokenStore, Token, TokenStore

__all__ = [
    "AuthError", "ConnectionTokens", "Deadline", "DeadlineExceeded", "ForbiddenError", "InMemoryRateBudget",
    "LockProvider", "MemoryTokenStore",
    "NotFoundError", "NullRateBudget", "Page", "Paginated", "ProcoreClient", "ProcoreConnectionError",
    "ProcoreError", "ProcoreHosts", "ProcoreOAuth", "RateBudget", "RateLimitHeaders", "RateLimitedError",
    "ReconnectRequired", "RedisLockProvider", "RedisRateBudget", "RetryPolicy", "ServerError", "StaticToken",
    "SyncResult", "ThreadLockProvider", "Token", "TokenManager", "TokenSource", "TokenStore", "ValidationError",
    "time_range",
]
