"""On real RQ workers and PostgreSQL: a worker SIGKILLed mid-push loses nothing; the retry ends with no duplicate."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fixtures.procore_sandbox.seedgen import generate_seed
from integration.extensions import db
from integration.models import PendingPush, PushedRecord, SyncRun
from integration.queue import get_queue
from sync_jobs.directory_import import import_directory
from sync_jobs.push import push_company, queue_push
from tests import factories
from tests.conftest import ROOT
from tests.fixtures.sandbox_helpers import COMPANY_A
from tests.sync_jobs.emulator import point_at, start_emulator

pytestmark = pytest.mark.integration


@pytest.fixture
def big_emulator():
    """600 vendors: more than 2000 records, so a push takes several calls (each one slowed down later)."""
    running, stop = start_emulator(SEED_DATA=generate_seed(companies=1, vendors_per_company=600, seed=3))
    yield running
    stop()


def worker(pg_settings, redis_url, emulator, log: Path) -> subprocess.Popen:
    """An ``rq worker`` process (with the scheduler) talking to the emulator, in a process group of its own."""
    env = {**os.environ, "DATABASE_URL": pg_settings.database_url, "REDIS_URL": redis_url,
           "STORAGE_PATH": pg_settings.storage_path, "GAPLINE_ENV": "test", "PROCORE_API_BASE": emulator.url,
           "PROCORE_LOGIN_BASE": emulator.url, "PUBLIC_BASE_URL": "http://gapline.test"}
    cmd = [sys.executable, "-m", "rq.cli", "worker", "--url", redis_url, "--worker-class",
           "sync_jobs.worker.GaplineWorker", "--with-scheduler", "push", "default"]
    with log.open("w") as output:  # the child keeps its own copy of the file
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=output,
                                start_new_session=True)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == pid:
                found.append(int(entry))
    return found


def _settled() -> bool:
    """No vendor waits for a push and no push run is open."""
    db.session.expire_all()
    open_runs = db.session.scalar(select(func.count()).select_from(SyncRun).where(SyncRun.state == "running"))
    return db.session.scalar(select(func.count()).select_from(PendingPush)) == 0 and open_runs == 0


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.2)


def test_a_worker_killed_mid_push_finishes_on_retry_with_no_duplicate(pg_committed, pg_settings, redis_url,
                                                                      big_emulator, tmp_path):
    from flask import current_app

    point_at(current_app, big_emulator)
    factories.installation(COMPANY_A, "Redwood General Contractors")
    db.session.commit()
    import_directory(COMPANY_A)  # marks every new vendor for its first push
    big_emulator.configure(SLOW_RATE=1.0, DELAY_SECONDS=1.5)
    big_emulator.reset_log()
    get_queue("default").enqueue(push_company, COMPANY_A)
    first = worker(pg_settings, redis_url, big_emulator, tmp_path / "first.log")
    try:
        wait_for(lambda: big_emulator.calls() >= 1)  # Procore has answered one batch
    finally:
        for pid in [*children(first.pid), first.pid]:  # the job's work horse (RQ gives it a session of its own)
            os.kill(pid, signal.SIGKILL)                 # and the worker, mid-push
        first.wait(timeout=30)
    accepted_before = len(big_emulator.records())
    db.session.expire_all()
    assert 0 < accepted_before < 2000 and db.session.scalar(select(func.count()).select_from(PendingPush)) > 0
    big_emulator.configure(SLOW_RATE=0.0)
    queue_push(COMPANY_A, delay=0)  # the retry, unless the push that found the lock taken already queued one
    second = worker(pg_settings, redis_url, big_emulator, tmp_path / "second.log")
    try:
        wait_for(lambda: _settled(), seconds=240)
    finally:
        second.terminate()
        second.wait(timeout=30)
    records = big_emulator.records()
    accepted = db.session.scalar(select(func.count()).select_from(PushedRecord).where(
        PushedRecord.payload_sha256.is_not(None)))
    assert len(records) == accepted > 2000 and set(big_emulator.by_origin().values()) == {1}
    assert db.session.scalar(select(func.count()).select_from(PendingPush)) == 0
    runs = db.session.scalars(select(SyncRun).where(SyncRun.kind == "push")).all()
    assert [(run.state, run.counts.get("resumed")) for run in runs] == [("succeeded", 1)]  # resumed, not redone
