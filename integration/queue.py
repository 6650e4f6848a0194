"""One way to run a job: on RQ when REDIS_URL is set, on the process's own worker thread in embedded mode."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from redis import Redis
from rq import Queue, Retry

log = logging.getLogger(__name__)

QUEUES = ("push", "high", "emails", "default", "low")


@dataclass
class Enqueued:
    """What enqueue() did: the job id, and where it ran or waits."""

    job_id: str | None
    queue: str
    ran_inline: bool
    result: Any = None
    error: str | None = None  # inline only: the job failed (a worker would keep it in its failed registry)


def job_id_for(*parts: object) -> str:
    """A deterministic RQ job id from parts, e.g. ``job_id_for("push", 42)`` -> ``push-42``."""
    return "-".join(re.sub(r"[^A-Za-z0-9_]", "_", str(p)) for p in parts)


def redis_connection(url: str | None = None) -> Redis:
    """A Redis connection for the configured REDIS_URL (or ``url``)."""
    return Redis.from_url(url or current_app.config["GAPLINE"].redis_url)


def get_queue(name: str = "default") -> Queue:
    """The RQ queue ``name`` on the configured Redis."""
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}; queues are {', '.join(QUEUES)}")
    return Queue(name, connection=redis_connection())


def enqueue(func: Callable[..., Any], *args: Any, queue: str = "default", job_id: str | None = None,
            job_timeout: int | None = None, retry: Retry | None = None, **kwargs: Any) -> Enqueued:
    """Run ``func(*args, **kwargs)`` as a job; callers never care whether RQ or in-process runs it.

    A deterministic ``job_id`` de-duplicates: while a job with that id waits on RQ, a second
    enqueue returns the waiting one instead of adding another. ``retry`` runs a failed job again later.
    """
    settings = current_app.config["GAPLINE"]
    if settings.embedded:
        return _in_process(func, args, kwargs, queue, job_id, job_timeout, retry)
    q = get_queue(queue)
    if job_id:
        existing = q.fetch_job(job_id)
        if existing is not None and existing.get_status(refresh=True) in {"queued", "deferred", "scheduled"}:
            return Enqueued(job_id, queue, False)
    job = q.enqueue_call(func, args=args, kwargs=kwargs, job_id=job_id, timeout=job_timeout,
                         retry=retry)
    return Enqueued(job.id, queue, False)


def _in_process(func: Callable[..., Any], args: tuple, kwargs: dict, queue: str, job_id: str | None,
                timeout: int | None, retry: Retry | None) -> Enqueued:
    """Embedded mode: the worker thread runs the job soon (``inline``, for tests: right here, in this session)."""
    from integration.deferred import in_process_jobs

    jobs = in_process_jobs()
    if not jobs.inline:
        jobs.schedule(job_id, 0.0, func, *args, retry=retry, timeout=timeout, **kwargs)
        return Enqueued(job_id, queue, False)
    try:
        return Enqueued(job_id, queue, True, func(*args, **kwargs))
    except Exception as exc:  # as on a worker: the caller's request is not the job's failure
        log.exception("inline job %s failed", func.__name__)
        return Enqueued(job_id, queue, True, error=f"{type(exc).__name__}: {exc}")


def enqueue_debounced(func: Callable[..., Any], *args: Any, key: str, delay: float, min_interval: float = 0.0,
                      queue: str = "default") -> bool:
    """Queue ``func(*args)`` to run in ``delay`` seconds unless a run under ``key`` already waits; True if queued.

    So a burst of changes costs one run. The job calls ``debounce_started(key)`` as it begins: changes
    after that queue the next run, never sooner than ``min_interval`` seconds after this one began.
    Embedded mode waits on a timer thread of this process; otherwise RQ's scheduler holds the job.
    """
    settings = current_app.config["GAPLINE"]
    if settings.embedded:
        from integration.deferred import in_process_jobs

        jobs = in_process_jobs()
        return jobs.schedule(key, _wait(delay, min_interval, jobs.started.get(key), jobs.clock()), func, *args)
    redis = redis_connection()
    started = redis.get(f"gapline:debounce:{key}:started")
    wait = _wait(delay, min_interval, float(started) if started else None, time.time())
    if not redis.set(f"gapline:debounce:{key}", "waiting", nx=True, ex=int(wait) + 600):
        return False
    get_queue(queue).enqueue_in(timedelta(seconds=wait), func, *args, job_id=f"{key}-{uuid.uuid4().hex[:12]}")
    return True


def debounce_started(key: str) -> None:
    """A debounced job has begun: the next change queues the next run."""
    settings = current_app.config["GAPLINE"]
    if settings.embedded:
        from integration.deferred import in_process_jobs

        jobs = in_process_jobs()
        jobs.started[key] = jobs.clock()
        return
    redis = redis_connection()
    with redis.pipeline() as pipe:
        pipe.delete(f"gapline:debounce:{key}")
        pipe.set(f"gapline:debounce:{key}:started", repr(time.time()), ex=3600)
        pipe.execute()


def _wait(delay: float, min_interval: float, started: float | None, now: float) -> float:
    return max(0.0, delay, (started + min_interval - now) if started else 0.0)
