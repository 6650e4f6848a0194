"""Embedded mode's stand-in for RQ's scheduler: a job queued for later runs on a timer thread in this process.

Tests set ``DEFERRED_JOBS = "manual"``: nothing runs by itself, and ``run_due`` runs what is due in the
test's own thread (and session), so no test depends on a timer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

EXTENSION = "gapline.deferred_jobs"


@dataclass
class Deferred:
    """One job waiting for its time."""

    job_id: str
    run_at: float
    func: Callable[..., Any]
    args: tuple
    kwargs: dict


class DeferredJobs:
    """Jobs waiting to run in this process, at most one per job id."""

    def __init__(self, app: Flask, *, manual: bool = False, clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.manual = manual
        self.clock = clock
        self._lock = threading.Lock()
        self._waiting: dict[str, Deferred] = {}
        self.started: dict[str, float] = {}  # when each debounced job last began

    def schedule(self, job_id: str, delay: float, func: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Run ``func`` after ``delay`` seconds; False (and nothing added) when ``job_id`` already waits."""
        with self._lock:
            if job_id in self._waiting:
                return False
            self._waiting[job_id] = Deferred(job_id, self.clock() + delay, func, args, kwargs)
        if not self.manual:
            timer = threading.Timer(max(0.0, delay), self._run, (job_id,))
            timer.daemon = True
            timer.start()
        return True

    def waiting(self) -> list[Deferred]:
        """The jobs not run yet, soonest first."""
        with self._lock:
            return sorted(self._waiting.values(), key=lambda each: each.run_at)

    def run_due(self, *, everything: bool = False) -> int:
        """Run, in this thread and app context, the jobs whose time has come (all of them if asked); how many ran."""
        now = self.clock()
        ran = 0
        for deferred in self.waiting():
            if everything or deferred.run_at <= now:
                if self._take(deferred.job_id):
                    deferred.func(*deferred.args, **deferred.kwargs)
                    ran += 1
        return ran

    def _take(self, job_id: str) -> Deferred | None:
        with self._lock:
            return self._waiting.pop(job_id, None)

    def _run(self, job_id: str) -> None:
        deferred = self._take(job_id)
        if deferred is None:
            return
        with self.app.app_context():
            try:
                deferred.func(*deferred.args, **deferred.kwargs)
            except Exception:  # as on a worker: logged, and the job's own bookkeeping says what failed
                log.exception("deferred job %s failed", job_id)


def deferred_jobs() -> DeferredJobs:
    """This app's waiting jobs (created on first use)."""
    jobs = current_app.extensions.get(EXTENSION)
    if jobs is None:
        manual = current_app.config.get("DEFERRED_JOBS") == "manual"
        jobs = current_app.extensions[EXTENSION] = DeferredJobs(current_app._get_current_object(), manual=manual)
    return jobs
