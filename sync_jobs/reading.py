"""The job queued on every upload: read the submission's files and evaluate the vendor; and the reaper of stuck ones."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from rq import Retry

from integration.extraction.intake import MAX_FILES
from integration.models import utcnow
from integration.queue import Enqueued, enqueue, job_id_for
from integration.reading import READ_SECONDS, companies_with_readings, give_up_reading, read_submission, stuck_readings
from sync_jobs.context import job

log = logging.getLogger(__name__)

READ_JOB_SECONDS = int(MAX_FILES * READ_SECONDS) + 120  # every file may use its whole budget
# A reading still "reading" this long after it began has lost its worker (killed, or the machine went away).
READING_BUDGET = timedelta(seconds=READ_JOB_SECONDS + 60)
MAX_READING_ATTEMPTS = 3
READ_RETRY = Retry(max=2, interval=[30, 120])  # a failed reading is tried again half a minute, then two, later
GAVE_UP = (f"Gapline gave up reading these files after {MAX_READING_ATTEMPTS} attempts that each ran out of time. "
           "They are kept: a person can review them, or the vendor can send them again.")


@job
def read_submission_job(company_id: int, submission_id: int) -> str:
    """Read and evaluate one submission; returns its resulting state. Safe to run twice."""
    return read_submission(company_id, submission_id, date.today()).state


def queue_reading(company_id: int, submission_id: int) -> Enqueued:
    """Queue the reading of a submission (high priority: someone is waiting for the result)."""
    return enqueue(read_submission_job, company_id, submission_id, queue="high",
                   job_id=job_id_for("read", company_id, submission_id), job_timeout=READ_JOB_SECONDS,
                   retry=READ_RETRY)


@job
def reap_stuck_readings(now: datetime | None = None) -> dict[str, int]:
    """Queue again each reading stuck past its budget, or after the last attempt mark it failed, saying why."""
    now, counts = now or utcnow(), {"requeued": 0, "failed": 0}
    for company_id in companies_with_readings():
        for submission in stuck_readings(company_id, now, READING_BUDGET):
            if submission.reading_attempts >= MAX_READING_ATTEMPTS:
                give_up_reading(submission, GAVE_UP)
                counts["failed"] += 1
            else:
                queue_reading(company_id, submission.id)
                counts["requeued"] += 1
            log.warning("reading of submission %s (company %s) was stuck after %s attempt(s)", submission.id,
                        company_id, submission.reading_attempts)
    return counts
