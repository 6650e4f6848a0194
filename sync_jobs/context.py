"""Jobs run inside an application context: the caller's in embedded mode, their own on a worker."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, has_app_context

F = TypeVar("F", bound=Callable[..., Any])

_worker_app: Flask | None = None


def worker_app() -> Flask:
    """The app a worker process builds once from its environment."""
    global _worker_app
    if _worker_app is None:
        from app import create_app  # the worker's only entry into the web app's wiring

        _worker_app = create_app()
    return _worker_app


def job(func: F) -> F:
    """Mark a function as a job: ids in, safe to run twice, an app context guaranteed."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return func(*args, **kwargs)
        with worker_app().app_context():
            return func(*args, **kwargs)

    return run  # type: ignore[return-value]
