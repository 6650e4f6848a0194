"""Every status change marks its vendor, and a burst of changes becomes one debounced push per company."""

from __future__ import annotations

from datetime import date

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from integration.deferred import in_process_jobs
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.insurance_records import origin_id
from integration.models import PendingPush, Vendor
from integration.overrides import create_override, revoke_override
from integration.queue import debounce_started, get_queue
from sync_jobs.push import push_key, queue_push
from tests import factories
from tests.fixtures.sandbox_helpers import COMPANY_A
from tests.sync_jobs.test_push import MARCH, acme, full_push, sample

LIMIT = "workers_compensation.el_each_accident"


def low_comp_limit() -> dict:
    cert = sample()
    next(p for p in cert["policies"] if p["line"] == "workers_compensation")["limits"]["el_each_accident"] = 500_000
    return cert


def marked() -> set[int]:
    return set(db.session.scalars(select(PendingPush.vendor_id)))


def test_each_kind_of_status_change_marks_the_vendor(connected):
    vendor = acme(low_comp_limit())  # a new evaluation
    assert vendor.id in marked()
    admin = factories.user(COMPANY_A, "admin")
    db.session.execute(PendingPush.__table__.delete())
    override = create_override(COMPANY_A, admin, vendor.id, LIMIT, "waive", "No employees", MARCH,
                               expires_on=date(2026, 4, 1))
    assert vendor.id in marked()  # an override made
    db.session.execute(PendingPush.__table__.delete())
    evaluate_vendor(COMPANY_A, vendor.id, date(2026, 4, 1))
    db.session.commit()
    assert vendor.id in marked()  # an override expired (the day's re-evaluation)
    db.session.execute(PendingPush.__table__.delete())
    revoke_override(COMPANY_A, admin, override.id, MARCH)
    assert vendor.id in marked()  # an override revoked


def test_a_burst_of_changes_queues_one_push_that_sends_them_in_one_call(connected, emulator):
    full_push()
    emulator.reset_log()
    jobs = in_process_jobs()
    admin = factories.user(COMPANY_A, "admin")
    vendors = db.session.scalars(select(Vendor).where(Vendor.company_id == COMPANY_A).order_by(Vendor.id)).all()
    for vendor in vendors[:30]:
        vendor.legal_name, vendor.trade_tier = "Acme Drywall, LLC", None
        factories.certificate(vendor, low_comp_limit())
        evaluate_vendor(COMPANY_A, vendor.id, MARCH)
        db.session.commit()
        create_override(COMPANY_A, admin, vendor.id, LIMIT, "waive", "No employees", MARCH)
    assert [job.job_id for job in jobs.waiting()] == [push_key(COMPANY_A)]  # 60 commits, one push waiting
    assert jobs.run_due(everything=True) == 1
    assert emulator.calls() == 1
    record = emulator.record(origin_id(vendors[0].procore_vendor_id, "workers_compensation"))
    assert "No employees" in record["notes"]
    assert db.session.scalar(select(func.count()).select_from(PendingPush)) == 0


def test_a_change_after_a_push_began_queues_the_next_one_after_the_minimum_interval(app):
    settings = app.config["GAPLINE"]
    jobs = in_process_jobs()
    jobs.clock = lambda: 1000.0
    assert queue_push(7) is True and queue_push(7) is False  # one waits; the second change joins it
    assert jobs.waiting()[0].run_at == 1000.0 + settings.push_debounce_seconds
    jobs._take(push_key(7))  # the waiting push starts...
    debounce_started(push_key(7))
    jobs.clock = lambda: 1002.0
    assert queue_push(7) is True  # ...so the next change queues the next push, no sooner than the interval allows
    assert jobs.waiting()[0].run_at == 1000.0 + settings.push_min_interval_seconds


@pytest.mark.integration
def test_on_rq_a_burst_is_one_scheduled_job_until_it_starts(pg_committed, redis_conn):
    assert [queue_push(9) for _ in range(20)] == [True] + [False] * 19
    registry = ScheduledJobRegistry(queue=get_queue("push"))
    assert len(registry.get_job_ids()) == 1
    debounce_started(push_key(9))
    assert queue_push(9) is True and len(registry.get_job_ids()) == 2
