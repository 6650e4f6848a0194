"""One enqueue(): in-process in embedded mode, a real RQ worker on Redis otherwise."""

from __future__ import annotations

import pytest
from rq import Queue
from sqlalchemy import select

from integration.models import AuditEvent
from integration.queue import enqueue, get_queue, job_id_for
from tests import factories
from tests.probe_jobs import record_probe


def add_installation(db, company_id: int = 42) -> None:
    factories.installation(company_id, "Acme GC")
    db.session.commit()


def test_embedded_mode_runs_the_job_inline(app):
    from integration.extensions import db

    add_installation(db)
    done = enqueue(record_probe, 42, "inline")
    assert done.ran_inline is True
    assert db.session.get(AuditEvent, done.result).actor_label == "inline"


def test_unknown_queue_is_refused(app):
    with pytest.raises(ValueError, match="unknown queue 'urgent'"):
        get_queue("urgent")


@pytest.mark.integration
def test_queued_mode_runs_on_a_real_rq_worker(pg_committed, redis_conn, rq_worker):
    db = pg_committed
    add_installation(db)
    done = enqueue(record_probe, 42, "worker", queue="high")
    assert done.ran_inline is False
    assert Queue("high", connection=redis_conn).count == 1
    worker = rq_worker("high")
    assert worker.returncode == 0, worker.stderr
    labels = db.session.scalars(select(AuditEvent.actor_label).where(AuditEvent.company_id == 42)).all()
    assert labels == ["worker"]


@pytest.mark.integration
def test_a_worker_takes_a_push_before_readings_queued_earlier(pg_committed, redis_conn, rq_worker):
    db = pg_committed
    add_installation(db)
    for n in range(3):  # a burst of uploads waits on "high"...
        enqueue(record_probe, 42, f"reading {n}", queue="high")
    enqueue(record_probe, 42, "push", queue="push")  # ...when a company's debounced push comes due
    worker = rq_worker()  # the Procfile's queues, in its order
    assert worker.returncode == 0, worker.stderr
    labels = db.session.scalars(select(AuditEvent.actor_label).where(AuditEvent.company_id == 42)
                                .order_by(AuditEvent.id)).all()
    assert labels == ["push", "reading 0", "reading 1", "reading 2"]


def test_the_procfile_worker_takes_every_queue_in_priority_order():
    from pathlib import Path

    from integration.queue import QUEUES
    from tests.conftest import WORKER_QUEUES

    worker = next(line for line in (Path(__file__).parents[2] / "Procfile").read_text().splitlines()
                  if line.startswith("worker:"))
    assert worker.split()[-len(QUEUES):] == list(QUEUES) == list(WORKER_QUEUES)


@pytest.mark.integration
def test_a_deterministic_job_id_deduplicates_while_waiting(pg_committed, redis_conn):
    first = enqueue(record_probe, 42, "a", job_id=job_id_for("probe", 42))
    second = enqueue(record_probe, 42, "b", job_id=job_id_for("probe", 42))
    assert first.job_id == second.job_id == "probe-42"
    assert Queue("default", connection=redis_conn).count == 1


def test_job_ids_are_valid_for_rq():
    assert job_id_for("periodic", "sync_jobs.maintenance", "prune") == "periodic-sync_jobs_maintenance-prune"


def test_an_inline_job_failure_is_reported_not_raised(app):
    def broken():
        raise RuntimeError("disk on fire")

    done = enqueue(broken)
    assert done.ran_inline and done.result is None and done.error == "RuntimeError: disk on fire"
