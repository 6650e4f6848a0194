"""On a real RQ worker and PostgreSQL: a worker SIGKILLed while reading; the reaper queues the reading again
(re-read with no duplicate) or, after the last attempt, fails it with words on the vendor page."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from fixtures.certgen import generate
from integration.extensions import db
from integration.extraction.intake import IncomingFile
from integration.models import Certificate, StoredFile, Submission, utcnow
from integration.queue import get_queue, job_id_for
from integration.submissions import receive
from sync_jobs.reading import GAVE_UP, MAX_READING_ATTEMPTS, READING_BUDGET, queue_reading, reap_stuck_readings
from tests import factories
from tests.conftest import ROOT, signed_in, worker_command
from tests.sync_jobs.test_push_worker import children

pytestmark = pytest.mark.integration

COMPANY = 5
FIRST, SECOND = generate(3, "fillable"), generate(4, "fillable")


def stored_path(app, stored: StoredFile) -> Path:
    return Path(app.config["GAPLINE"].storage_path) / stored.storage_key


def wait_for(condition, seconds: float = 120) -> None:
    """Wait (not a timed assertion: the deadline only stops a hung test) until ``condition()`` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


def reading_blocked_on_second_file(submission_id: int) -> bool:
    db.session.expire_all()
    state = db.session.scalar(select(Submission.state).where(Submission.id == submission_id))
    return state == "reading" and db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def kill_worker_while_reading(app, worker_env, redis_url, submission_id: int, blocked: Path, tmp_path) -> None:
    """Start a worker; once it has read the first file and waits on the second (a FIFO nobody writes), SIGKILL it."""
    with (tmp_path / "worker.log").open("w") as log:
        worker = subprocess.Popen(worker_command(redis_url, ("high",), burst=False), cwd=ROOT, env=worker_env(),
                                  stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        wait_for(lambda: reading_blocked_on_second_file(submission_id))
    finally:
        for pid in [*children(worker.pid), worker.pid]:  # the work horse, blocked reading, and the worker
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=30)


@pytest.fixture
def upload(pg_committed):
    """Two files received and queued; the second file's bytes replaced by a FIFO, so reading it blocks."""
    from flask import current_app

    world = factories.company(COMPANY)
    db.session.commit()
    received = receive(COMPANY, world.vendor.id, [IncomingFile("first.pdf", FIRST.data),
                                            IncomingFile("second.pdf", SECOND.data)], "staff_upload")
    second = db.session.scalar(select(StoredFile).where(StoredFile.position == 1))
    path = stored_path(current_app, second)
    path.unlink()
    os.mkfifo(path)
    assert queue_reading(COMPANY, received.submission.id).ran_inline is False
    yield received.submission.id, path, world
    path.unlink(missing_ok=True)


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(StoredFile)),
            db.session.scalar(select(func.count()).select_from(Certificate)))


def test_a_worker_killed_while_reading_is_reread_after_the_reaper_with_no_duplicate(
        pg_committed, upload, worker_env, redis_url, rq_worker, tmp_path):
    from flask import current_app

    submission_id, blocked, world = upload
    kill_worker_while_reading(current_app, worker_env, redis_url, submission_id, blocked, tmp_path)
    assert counts() == (2, 1)  # the first file's reading was committed before the kill
    assert reap_stuck_readings(utcnow()) == {"requeued": 0, "failed": 0}  # within its budget: left alone
    blocked.unlink()
    blocked.write_bytes(SECOND.data)  # the file is readable again
    assert reap_stuck_readings(utcnow() + READING_BUDGET) == {"requeued": 1, "failed": 0}
    worker = rq_worker("high")
    assert worker.returncode == 0, worker.stderr[-2000:]
    db.session.expire_all()
    submission = db.session.get(Submission, submission_id)
    assert submission.state in {"evaluated", "needs_review"} and submission.reading_attempts == 2
    assert counts() == (2, 2)
    files = db.session.scalars(select(Certificate.stored_file_id)).all()
    assert len(set(files)) == 2  # one certificate per file: the first was not read again
    assert sorted(p.name for p in Path(current_app.config["GAPLINE"].storage_path).rglob("*.pdf")) == sorted(
        p.name for p in {stored_path(current_app, s) for s in db.session.scalars(select(StoredFile))})


def test_after_the_last_attempt_the_reaper_fails_the_reading_and_the_vendor_page_says_why(
        pg_committed, upload, worker_env, redis_url, tmp_path):
    from flask import current_app

    submission_id, blocked, world = upload
    submission = db.session.get(Submission, submission_id)
    submission.reading_attempts = MAX_READING_ATTEMPTS - 1
    db.session.commit()
    kill_worker_while_reading(current_app, worker_env, redis_url, submission_id, blocked, tmp_path)
    assert reap_stuck_readings(utcnow() + READING_BUDGET) == {"requeued": 0, "failed": 1}
    db.session.expire_all()
    submission = db.session.get(Submission, submission_id)
    assert (submission.state, submission.failure_reason) == ("failed", GAVE_UP)
    assert get_queue("high").count == 0  # not queued again
    page = signed_in(current_app, world["admin"]).get(f"/procore/companies/{COMPANY}/vendors/{submission.vendor_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Not read: Gapline gave up reading these files after 3 attempts" in body
    assert counts() == (2, 1)  # what was read stays; nothing else was written


def test_a_reading_that_fails_on_the_worker_is_retried_later(pg_committed, upload, rq_worker, redis_conn):
    submission_id, blocked, world = upload
    blocked.unlink()  # the second file is gone: reading raises
    worker = rq_worker("high")
    assert worker.returncode == 0, worker.stderr[-2000:]
    job = get_queue("high").fetch_job(job_id_for("read", COMPANY, submission_id))
    assert job.retries_left == 1 and job.id in ScheduledJobRegistry(queue=get_queue("high"))
    db.session.expire_all()
    submission = db.session.get(Submission, submission_id)
    assert submission.state == "failed" and "could not read these files automatically" in submission.failure_reason
