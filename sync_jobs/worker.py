"""The RQ worker class: builds the app and imports the readers once, so each forked job starts warm.

Used by the Procfile: ``rq worker --worker-class sync_jobs.worker.GaplineWorker ...``.

Jobs of the ``emails`` queue run in the worker process itself, as RQ's SimpleWorker runs every job: a
delivery job is a few database statements and SMTP conversations, so forking a work horse for it
cost more than the job (seconds of a loaded machine's CPU per job, mostly copying the pages the
child touches). They are safe to run unforked because a delivery job holds nothing between jobs (its
SMTP connections close at its end, its session is removed with its app context), runs under the
same time limit (RQ's alarm signal in this process), and a worker that dies mid-job leaves its rows
claimed under a lease, exactly as a killed work horse does. Every other job (reading certificates,
imports, pushes) still runs in a forked work horse, which first drops the database connections it
inherited so it never talks over the parent's sockets.
"""

from __future__ import annotations

from typing import Any

from rq import Queue, Worker
from rq.defaults import DEFAULT_WORKER_TTL
from rq.job import Job
from rq.worker import WorkerStatus

from sync_jobs.context import worker_app

IN_PROCESS_QUEUES = frozenset({"emails"})


def preload() -> None:
    """Create the app and import the heavy readers in the parent; forks inherit them."""
    worker_app()
    import integration.reading  # noqa: F401 - pdf, image and OCR libraries load here, once


def _forget_inherited_connections() -> None:
    """In a new work horse: the pooled database connections belong to the parent; open our own."""
    from integration.extensions import db

    with worker_app().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


class GaplineWorker(Worker):
    """An RQ worker whose job processes start with Gapline already loaded; email jobs run without a fork."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        preload()

    def execute_job(self, job: Job, queue: Queue) -> None:
        if job.origin not in IN_PROCESS_QUEUES:
            super().execute_job(job, queue)
            return
        self.prepare_execution(job)  # as SimpleWorker.execute_job: the job runs here, under the same time limit
        self.perform_job(job, queue)
        self.set_state(WorkerStatus.IDLE)

    def get_heartbeat_ttl(self, job: Job) -> int:
        """An unforked job sends no heartbeats while it runs: the worker's key lives through its time limit."""
        if job.origin in IN_PROCESS_QUEUES:
            return DEFAULT_WORKER_TTL if job.timeout == -1 else int(job.timeout or DEFAULT_WORKER_TTL) + 60
        return super().get_heartbeat_ttl(job)

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        _forget_inherited_connections()
        super().main_work_horse(job, queue)
