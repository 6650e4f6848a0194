"""On real RQ workers: push jobs reuse the service account's token instead of asking Procore for one each."""

from __future__ import annotations

import json

import pytest
import requests
from flask import current_app
from redis import Redis
from sqlalchemy import func, select

from integration.extensions import db
from integration.models import PendingPush, PushedRecord, SyncRun, Vendor
from integration.procore_connection import DMSA_KEY, SHARED_DMSA_KEY, token_manager
from integration.push_state import forget_copy, mark_vendors
from integration.queue import get_queue
from integration.requirement_sets import save_set
from integration.sync_runs import start_run
from sync_jobs.directory_import import import_directory
from sync_jobs.push import push_company, push_records
from tests import factories
from tests.fixtures.sandbox_helpers import COMPANY_A
from tests.sync_jobs.conftest import SAMPLES
from tests.sync_jobs.emulator import point_at

pytestmark = pytest.mark.integration
TOKEN_ROUTE = "POST /oauth/token"


def token_calls(emulator) -> int:
    return requests.get(f"{emulator.url}/_emulator/requests", timeout=5).json()["counts_by_route"].get(
        TOKEN_ROUTE, 0)


def test_push_jobs_in_separate_worker_processes_share_one_service_account_token(
        pg_committed, redis_url, emulator, rq_worker):
    point_at(current_app, emulator)
    factories.installation(COMPANY_A, "Redwood General Contractors")
    save_set(COMPANY_A, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    db.session.commit()
    import_directory(COMPANY_A)
    push_records(start_run(COMPANY_A, "push"), full=True)  # Procore holds every record
    Redis.from_url(redis_url).delete(SHARED_DMSA_KEY)  # the token this process used: the workers start without one
    token_manager().store._dmsa = None
    emulator.reset_log()
    vendors = db.session.scalars(select(Vendor.id).where(Vendor.company_id == COMPANY_A, Vendor.active.is_(True))
                                 .order_by(Vendor.id).limit(3)).all()
    env = {"PROCORE_API_BASE": emulator.url, "PROCORE_LOGIN_BASE": emulator.url,
           "PUBLIC_BASE_URL": "http://gapline.test"}
    for vendor_id in vendors:  # three pushes, each a job in a worker process of its own (and its own fork)
        for row in db.session.scalars(select(PushedRecord).where(PushedRecord.vendor_id == vendor_id)):
            forget_copy(row)  # as if edited in Procore: the push sends the vendor's records again
        mark_vendors(COMPANY_A, [vendor_id], "test")
        db.session.commit()
        get_queue("default").enqueue(push_company, COMPANY_A)
        done = rq_worker("default", env=env)
        assert done.returncode == 0, done.stderr[-2000:]
    db.session.expire_all()
    runs = db.session.scalars(select(SyncRun).where(SyncRun.kind == "push").order_by(SyncRun.id)).all()
    assert [run.state for run in runs[1:]] == ["succeeded"] * 3
    assert [run.counts.get("write_calls") for run in runs[1:]] == [1, 1, 1]  # each job called Procore
    assert db.session.scalar(select(func.count()).select_from(PendingPush)) == 0
    assert token_calls(emulator) == 1  # the first job asked for the token; the other two reused it
    shared = Redis.from_url(redis_url).get(SHARED_DMSA_KEY)
    assert shared and b"access_token" not in shared  # kept encrypted
    assert token_manager().store.fetch(DMSA_KEY) is not None  # and this process could use it too
