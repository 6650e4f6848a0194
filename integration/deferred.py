"""Embedded mode's stand-in for RQ and its scheduler: one worker thread of this process runs every job.

A job runs now or at its time, at most one waits per job id (as on RQ), and a failed job is tried
again per its ``Retry`` (RQ's rule). ``make run`` needs nothing else, and no request waits on a job.

Tests set ``JOBS_IN_PROCESS = "inline"``: a job queued for now runs in the caller's thread and session
(as the request's own work), a job queued for later waits until ``run_due`` runs it, and no thread
starts. Tests of the thread itself use ``wait_idle``; ``stop`` ends and joins the thread.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from rq import Retry

log = logging.getLogger(__name__)

EXTENSION = "gapline.in_process_jobs"
MODES = ("thread", "inline")


@dataclass
class Deferred:
    """One job waiting for its time."""

    job_id: str
    run_at: float
    func: Callable[..., Any]
    args: tuple
    kwargs: dict
    retry: Retry | None = None
    timeout: float | None = None
    failures: int = 0


class InProcessJobs:
    """Jobs waiting to run in this process, at most one per job id, run one at a time by one worker thread."""

    def __init__(self, app: Flask, *, inline: bool = False, clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.inline = inline
        self.clock = clock
        self._ready = threading.Condition()
        self._waiting: dict[str, Deferred] = {}
        self._running: Deferred | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.started: dict[str, float] = {}  # when each debounced job last began
        self.failed: dict[str, str] = {}  # the last failure of each job id that gave up, in a line

    def schedule(self, job_id: str | None, delay: float, func: Callable[..., Any], *args: Any,
                 retry: Retry | None = None, timeout: float | None = None, **kwargs: Any) -> bool:
        """Run ``func`` after ``delay`` seconds; False (and nothing added) when ``job_id`` already waits."""
        job_id = job_id or uuid.uuid4().hex
        with self._ready:
            if job_id in self._waiting:
                return False
            self._waiting[job_id] = Deferred(job_id, self.clock() + delay, func, args, kwargs, retry, timeout)
            self._start()
            self._ready.notify_all()
        return True

    def waiting(self) -> list[Deferred]:
        """The jobs not started yet, soonest first."""
        with self._ready:
            return sorted(self._waiting.values(), key=lambda each: each.run_at)

    def run_due(self, *, everything: bool = False) -> int:
        """Run, in this thread and app context, the jobs whose time has come (all of them if asked); how many ran."""
        now = self.clock()
        ran = 0
        for deferred in self.waiting():
            if (everything or deferred.run_at <= now) and self._take(deferred.job_id):
                deferred.func(*deferred.args, **deferred.kwargs)
                ran += 1
        return ran

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is running or due; False if ``timeout`` seconds passed first."""
        with self._ready:
            return self._ready.wait_for(lambda: self._running is None and self._next_due() is None, timeout)

    def stop(self, timeout: float | None = 30) -> None:
        """End the worker thread after its current job and join it; waiting jobs are dropped."""
        with self._ready:
            self._stopping = True
            self._ready.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _start(self) -> None:
        if self.inline or self._stopping or (self._thread is not None and self._thread.is_alive()):
            return
        self._thread = threading.Thread(target=self._work, name="gapline-jobs", daemon=True)
        self._thread.start()

    def _take(self, job_id: str) -> Deferred | None:
        with self._ready:
            return self._waiting.pop(job_id, None)

    def _next_due(self) -> Deferred | None:
        soonest = min(self._waiting.values(), key=lambda each: each.run_at, default=None)
        return soonest if soonest is not None and soonest.run_at <= self.clock() else None

    def _next(self) -> Deferred | None:
        """Wait for the next due job (None when stopping); it is running once returned."""
        with self._ready:
            self._running = None
            self._ready.notify_all()
            while not self._stopping:
                due = self._next_due()
                if due is not None:
                    self._running = self._waiting.pop(due.job_id)
                    return due
                soonest = min((each.run_at for each in self._waiting.values()), default=None)
                self._ready.wait(None if soonest is None else max(0.01, soonest - self.clock()))
            return None

    def _work(self) -> None:
        while (deferred := self._next()) is not None:
            self._run(deferred)

    def _run(self, deferred: Deferred) -> None:
        began = time.monotonic()
        try:
            with self.app.app_context():
                deferred.func(*deferred.args, **deferred.kwargs)
            if deferred.timeout and time.monotonic() - began > deferred.timeout:
                raise TimeoutError(f"ran {time.monotonic() - began:.0f} s, past its {deferred.timeout:.0f} s")
        except Exception as exc:  # as on a worker: logged, retried per its Retry, the job's bookkeeping says why
            log.exception("in-process job %s failed", deferred.job_id)
            self._failed(deferred, f"{type(exc).__name__}: {exc}")

    def _failed(self, deferred: Deferred, error: str) -> None:
        """Queue a failed job again after its retry interval, as RQ does, or record that it gave up."""
        retry = deferred.retry
        if retry is None or deferred.failures >= retry.max:
            self.failed[deferred.job_id] = error
            return
        interval = retry.intervals[min(deferred.failures, len(retry.intervals) - 1)] if retry.intervals else 0
        deferred.failures += 1
        deferred.run_at = self.clock() + interval
        with self._ready:
            self._waiting.setdefault(deferred.job_id, deferred)


def in_process_jobs(app: Flask | None = None) -> InProcessJobs:
    """This app's in-process jobs (created on first use)."""
    app = app or current_app._get_current_object()
    jobs = app.extensions.get(EXTENSION)
    if jobs is None:
        mode = app.config.get("JOBS_IN_PROCESS", "thread")
        if mode not in MODES:
            raise ValueError(f"JOBS_IN_PROCESS must be one of {', '.join(MODES)}, got {mode!r}")
        jobs = app.extensions[EXTENSION] = InProcessJobs(app, inline=mode == "inline")
    return jobs


def stop_in_process_jobs(app: Flask) -> None:
    """Stop and join the app's worker thread, if it has one (a test's app, or the demo at exit)."""
    jobs = app.extensions.get(EXTENSION)
    if jobs is not None:
        jobs.stop()


deferred_jobs = in_process_jobs  # its earlier name, for branches written before the worker thread
