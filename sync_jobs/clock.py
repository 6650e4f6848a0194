"""The clock process: APScheduler enqueues each periodic job on RQ at its time (``python -m sync_jobs.clock``)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from integration.queue import enqueue
from sync_jobs.schedule import Periodic, periodic_jobs

log = logging.getLogger(__name__)


def build_scheduler(app: Flask, scheduler: BlockingScheduler | None = None) -> BlockingScheduler:
    """A scheduler with one entry per periodic job; each firing only enqueues the job."""
    scheduler = scheduler or BlockingScheduler(timezone="UTC")
    for periodic in periodic_jobs():
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


def main() -> None:
    """Run the clock until stopped."""
    from app import create_app

    app = create_app()
    scheduler = build_scheduler(app)
    log.info("clock starting with %d periodic jobs", len(scheduler.get_jobs()))
    scheduler.start()


if __name__ == "__main__":
    main()
