"""The clock: APScheduler enqueues each periodic job at its time.

On RQ it is its own process (``python -m sync_jobs.clock``); in embedded mode the app runs the same
schedule on a thread of its own process, and each firing runs its job there.
"""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from integration.queue import enqueue
from sync_jobs.schedule import Periodic, periodic_jobs

log = logging.getLogger(__name__)

EXTENSION = "gapline.clock"
_starting = threading.Lock()


def build_scheduler(app: Flask, scheduler: BaseScheduler | None = None) -> BaseScheduler:
    """A scheduler with one entry per periodic job; each firing only enqueues the job."""
    scheduler = scheduler or BlockingScheduler(timezone="UTC")
    for periodic in periodic_jobs(app.config["GAPLINE"]):
        scheduler.add_job(
            fire, periodic.trigger, args=(app, periodic), id=periodic.name, name=periodic.name,
            coalesce=True, max_instances=1, misfire_grace_time=3600, **periodic.trigger_args,
        )
    return scheduler


def fire(app: Flask, periodic: Periodic) -> None:
    """Enqueue one periodic job under its stable id."""
    with app.app_context():
        done = enqueue(periodic.func, queue=periodic.queue, job_id=periodic.name)
        log.info("clock enqueued %s (job %s)", periodic.name, done.job_id)


def start_in_process(app: Flask) -> BackgroundScheduler:
    """Embedded mode: run the same schedule on a thread of this process (once per app); firings run inline."""
    with _starting:
        scheduler = app.extensions.get(EXTENSION)
        if scheduler is None:
            scheduler = app.extensions[EXTENSION] = build_scheduler(app, BackgroundScheduler(timezone="UTC"))
            scheduler.start()
            log.info("in-process clock started with %d periodic jobs", len(scheduler.get_jobs()))
    return scheduler


def main() -> None:
    """Run the clock until stopped."""
    from app import create_app

    app = create_app()
    scheduler = build_scheduler(app)
    log.info("clock starting with %d periodic jobs", len(scheduler.get_jobs()))
    scheduler.start()


if __name__ == "__main__":
    main()
