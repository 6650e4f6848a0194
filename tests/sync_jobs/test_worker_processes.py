"""On a real RQ worker: email jobs run in the worker's own process, every other job in a forked work horse
that opens its own database connection rather than talking over the parent's."""

from __future__ import annotations

import pytest
from rq.job import Job

from integration.queue import enqueue, redis_connection
from tests.probe_jobs import where_it_ran

pytestmark = pytest.mark.integration


def test_email_jobs_run_unforked_and_a_forked_job_never_shares_the_parents_connection(pg_committed, rq_worker):
    enqueue(where_it_ran, queue="emails", job_id="where-emails-1")
    enqueue(where_it_ran, queue="emails", job_id="where-emails-2")
    enqueue(where_it_ran, "emails", queue="default", job_id="where-default")  # then one more email job
    worker = rq_worker("emails", "default")
    assert worker.returncode == 0, worker.stderr[-2000:]
    results = {job_id: Job.fetch(job_id, connection=redis_connection()).return_value()
               for job_id in ("where-emails-1", "where-emails-2", "where-default", "where-after-emails")}
    emails = [results[job_id] for job_id in ("where-emails-1", "where-emails-2", "where-after-emails")]
    forked = results["where-default"]
    assert len({r["pid"] for r in emails}) == 1  # one process ran every email job: the worker itself
    assert forked["parent"] == emails[0]["pid"] != forked["pid"]  # the other job ran in a fork of it
    assert len({r["backend"] for r in emails}) == 1  # the worker kept its one pooled connection, fork or not
    assert forked["backend"] != emails[0]["backend"]  # the fork opened its own
