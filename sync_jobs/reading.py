"""The job queued on every upload: read the submission's files and evaluate the vendor."""

from __future__ import annotations

from datetime import date

from integration.extraction.intake import MAX_FILES
from integration.queue import Enqueued, enqueue, job_id_for
from integration.reading import READ_SECONDS, read_submission
from sync_jobs.context import job


@job
def read_submission_job(company_id: int, submission_id: int) -> str:
    """Read and evaluate one submission; returns its resulting state."""
    return read_submission(company_id, submission_id, date.today()).state


def queue_reading(company_id: int, submission_id: int) -> Enqueued:
    """Queue the reading of a submission (high priority: someone is waiting for the result)."""
    return enqueue(read_submission_job, company_id, submission_id, queue="high",
                   job_id=job_id_for("read", company_id, submission_id),
                   job_timeout=int(MAX_FILES * READ_SECONDS) + 120)  # every file may use its whole budget
