"""The push over HTTP to the emulator: a record per line, only what changed, refusals retried, failures survived."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from integration.compliance.gaps import gap_info
from integration.compliance.wording import day
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.insurance_records import origin_id
from integration.models import (
    Evaluation,
    Installation,
    PendingPush,
    PushedRecord,
    StoredFile,
    Submission,
    SyncRun,
    Vendor,
)
from integration.overrides import create_override
from integration.reading import replace_policies
from integration.sync_runs import start_run
from sync_jobs.push import push_company, push_key, push_records
from tests import factories
from tests.fixtures.sandbox_helpers import COMPANY_A
from tests.sync_jobs.conftest import SAMPLES

MARCH = date(2026, 3, 2)
RECORDS = 380  # the seed's 95 active vendors of company A x 4 lines (its 5 inactive vendors are left alone)
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def sample() -> dict:
    return json.loads((SAMPLES / "certificate_acme_drywall.json").read_text())


def acme(cert: dict | None = None) -> Vendor:
    """The first imported vendor, renamed to match the sample certificate, with that certificate read."""
    vendor = db.session.scalar(select(Vendor).where(Vendor.company_id == COMPANY_A).order_by(Vendor.id))
    vendor.legal_name, vendor.trade_tier = "Acme Drywall, LLC", None  # held to the company's own set
    read = factories.certificate(vendor, cert or sample())
    replace_policies(read)  # as reading does: the policy rows expiries are found by
    db.session.get(Submission, db.session.get(StoredFile, read.stored_file_id).submission_id).state = "evaluated"
    evaluate_vendor(COMPANY_A, vendor.id, MARCH)
    db.session.commit()
    return vendor


def full_push(now: datetime = NOW) -> SyncRun:
    return push_records(start_run(COMPANY_A, "push"), full=True, now=now)


def expected_records() -> int:
    lines = db.session.scalars(select(Evaluation.line_statuses).where(
        Evaluation.company_id == COMPANY_A, Evaluation.is_current.is_(True), Evaluation.assignment_id.is_(None)))
    return sum(len(each) for each in lines)


def test_first_push_writes_one_record_per_line_of_every_vendor_in_one_call(connected, emulator):
    run = full_push()
    records = emulator.records()
    assert run.state == "succeeded", run.error
    assert len(records) == expected_records() == run.counts["pushed"] == RECORDS
    assert set(emulator.by_origin().values()) == {1}
    assert emulator.calls() == run.counts["write_calls"] == 1
    vendor = db.session.scalar(select(Vendor).where(Vendor.company_id == COMPANY_A).order_by(Vendor.id))
    gl = emulator.record(origin_id(vendor.procore_vendor_id, "general_liability"))
    assert gl["vendor_id"] == vendor.procore_vendor_id and gl["insurance_type"] == "General Liability"
    assert gl["status"] == "non_compliant" and gl["info_received"] is False
    assert gl["enable_expired_insurance_notifications"] is False
    assert "No certificate of insurance has been received yet." in gl["notes"]
    assert f"http://gapline.test/procore/companies/{COMPANY_A}/vendors/{vendor.id}" in gl["notes"]
    assert db.session.scalar(select(func.count()).select_from(PushedRecord)) == RECORDS


def test_inactive_vendors_get_no_records(connected, emulator):
    full_push()
    inactive = db.session.scalars(select(Vendor.procore_vendor_id).where(Vendor.active.is_(False))).all()
    assert len(inactive) == 5 and not {row["vendor_id"] for row in emulator.records()} & set(inactive)


def test_a_second_push_sends_nothing_when_nothing_changed(connected, emulator):
    full_push()
    emulator.reset_log()
    run = full_push()
    assert run.counts["examined"] == run.counts["unchanged"] == RECORDS
    assert emulator.calls() == 0 and run.counts["write_calls"] == 0


def test_a_read_certificate_shows_its_policy_and_only_its_records_are_sent(connected, emulator):
    full_push()
    emulator.reset_log()
    vendor = acme()
    run = push_company(COMPANY_A, now=NOW.isoformat())
    assert run is not None and emulator.calls() == 1
    gl = emulator.record(origin_id(vendor.procore_vendor_id, "general_liability"))
    assert gl["status"] == "compliant" and gl["insurance_provider"] == "Granite Mutual Insurance Company"
    assert (gl["policy_number"], gl["effective_date"], gl["expiration_date"], gl["limit"]) == (
        "GL-7781201", "2026-01-01", "2027-01-01", "1000000.00")
    pushed = db.session.get(SyncRun, run).counts
    assert pushed["pushed"] == 4 and pushed["examined"] == 4  # only the marked vendor was looked at
    assert db.session.scalar(select(func.count()).select_from(PendingPush)) == 0


def test_a_waiver_is_compliant_in_procore_with_who_when_why_and_until(connected, emulator):
    cert = sample()
    next(p for p in cert["policies"] if p["line"] == "workers_compensation")["limits"]["el_each_accident"] = 500_000
    vendor = acme(cert)
    full_push()
    comp = origin_id(vendor.procore_vendor_id, "workers_compensation")
    before = emulator.record(comp)
    assert before["status"] == "non_compliant"
    assert "Employers liability each accident is $500,000; $1,000,000 is required." in before["notes"]
    assert "your" not in before["notes"].lower()  # read by the general contractor's people, not the vendor
    admin = factories.user(COMPANY_A, "admin", name="Pat Admin")
    create_override(COMPANY_A, admin, vendor.id, "workers_compensation.el_each_accident", "waive",
                    "Sole proprietor with no employees", MARCH, expires_on=date(2026, 6, 30))
    full_push()
    record = emulator.record(comp)
    assert record["status"] == "compliant" and record["exempt"] is False
    title = gap_info("el_each_accident_below").title
    assert (f"Waived: {title}, by Pat Admin on {day(date.today())}: "
            "Sole proprietor with no employees (until June 30, 2026)") in record["notes"]


def test_an_expired_policy_shows_expired(connected, emulator):
    vendor = acme()
    evaluate_vendor(COMPANY_A, vendor.id, date(2027, 1, 2))
    db.session.commit()
    full_push(datetime(2027, 1, 2, 12, tzinfo=UTC))
    assert emulator.record(origin_id(vendor.procore_vendor_id, "workers_compensation"))["status"] == "expired"


def test_refused_items_keep_procores_message_and_are_retried_after_a_wait(connected, emulator):
    emulator.configure(FAIL_RATE_SYNC_ITEM=0.3, FAULT_SEED=5)
    run = full_push()
    failed = db.session.scalars(select(PushedRecord).where(PushedRecord.last_error.is_not(None))).all()
    assert run.state == "partial" and 0 < len(failed) == run.counts["failed"] < RECORDS
    assert all("fault injection" in row.last_error and row.payload_sha256 is None for row in failed)
    assert len(emulator.records()) == RECORDS - len(failed)  # nothing refused is counted as pushed
    emulator.configure(FAIL_RATE_SYNC_ITEM=0.0)
    assert push_company(COMPANY_A, now=NOW.isoformat()) is None  # the retry is not due yet
    retried = db.session.get(SyncRun, push_company(COMPANY_A, now=(NOW + timedelta(minutes=2)).isoformat()))
    assert retried.counts["pushed"] == len(failed) and retried.state == "succeeded"
    assert set(emulator.by_origin().values()) == {1} and len(emulator.records()) == RECORDS
    assert db.session.scalar(select(func.count()).select_from(PushedRecord).where(
        PushedRecord.last_error.is_not(None))) == 0


def push_until_in_step(batch_size: int = 1000) -> int:
    """Push again after each failure (as the retry queue would) until every record is accepted; how many pushes."""
    for attempt in range(1, 30):
        run = push_records(start_run(COMPANY_A, "push"), full=True, now=NOW, batch_size=batch_size)
        if run.state == "succeeded":
            return attempt
        time.sleep(0.5)
    raise AssertionError("the push never caught up")


def test_500s_and_a_429_storm_during_a_full_push_lose_nothing_and_duplicate_nothing(connected, emulator):
    connected.config["PROCORE_CLIENT_OPTIONS"] = {}  # the client really waits out each 429
    emulator.configure(FAIL_RATE_500=0.2, FAIL_RATE_429=0.4, RETRY_AFTER_503=1, FAULT_SEED=2)
    push_until_in_step(batch_size=40)
    statuses = emulator.statuses()
    assert statuses.get("500", 0) > 0 and statuses.get("429", 0) > 0  # both really happened
    emulator.configure(FAIL_RATE_500=0.0, FAIL_RATE_429=0.0)
    assert full_push().counts["unchanged"] == RECORDS
    assert len(emulator.records()) == RECORDS and set(emulator.by_origin().values()) == {1}


def test_answers_lost_after_the_write_duplicate_nothing(connected, emulator):
    emulator.configure(LOSE_ANSWER_RATE=0.5, FAULT_SEED=4)
    push_until_in_step(batch_size=100)
    assert emulator.statuses().get("500", 0) > 0
    emulator.configure(LOSE_ANSWER_RATE=0.0)
    assert full_push().counts["unchanged"] == RECORDS
    assert len(emulator.records()) == RECORDS and set(emulator.by_origin().values()) == {1}


def test_a_line_the_requirements_stop_covering_is_marked_not_left_stale(connected, emulator):
    from integration.requirement_sets import save_set

    vendor = acme()
    full_push()
    body = json.loads((SAMPLES / "requirements_standard.json").read_text())
    del body["lines"]["umbrella_liability"]
    save_set(COMPANY_A, body, None)
    evaluate_vendor(COMPANY_A, vendor.id, MARCH)
    db.session.commit()
    run = push_company(COMPANY_A, now=NOW.isoformat())
    umbrella = emulator.record(origin_id(vendor.procore_vendor_id, "umbrella_liability"))
    assert umbrella["exempt"] is True and "no longer required" in umbrella["notes"]
    assert umbrella["policy_number"] is None and db.session.get(SyncRun, run).counts["retired"] == 1


def test_a_disconnected_company_pushes_nothing_and_keeps_its_marks(connected, emulator):
    full_push()
    emulator.reset_log()
    vendor = acme()
    installation = db.session.scalar(select(Installation).where(Installation.company_id == COMPANY_A))
    installation.connection_state = "disconnected"
    db.session.commit()
    assert push_company(COMPANY_A, now=NOW.isoformat()) is None
    assert emulator.calls() == 0
    assert db.session.scalar(select(PendingPush.vendor_id)) == vendor.id  # sent once an admin reconnects


def test_a_vendor_marked_while_a_push_begins_keeps_its_mark_for_the_next_push(connected, emulator, monkeypatch):
    import sync_jobs.push as push_module
    from integration.push_state import mark_vendors

    full_push()
    first, late = db.session.scalars(select(Vendor).where(Vendor.company_id == COMPANY_A).order_by(Vendor.id)
                                     .limit(2)).all()
    mark_vendors(COMPANY_A, [first.id], "test")
    db.session.commit()
    real = push_module.evaluate_unevaluated

    def change_arrives(company_id, vendor_ids, today):  # another request commits a change at this moment
        real(company_id, vendor_ids, today)
        late.legal_name, late.trade_tier = "Acme Drywall, LLC", None
        factories.certificate(late, sample())
        evaluate_vendor(COMPANY_A, late.id, MARCH)
        db.session.commit()

    monkeypatch.setattr(push_module, "evaluate_unevaluated", change_arrives)
    push_company(COMPANY_A, now=NOW.isoformat())
    assert set(db.session.scalars(select(PendingPush.vendor_id))) == {late.id}  # not cleared unsent
    monkeypatch.setattr(push_module, "evaluate_unevaluated", real)
    push_company(COMPANY_A, now=NOW.isoformat())
    gl = emulator.record(origin_id(late.procore_vendor_id, "general_liability"))
    assert gl["policy_number"] == "GL-7781201" and db.session.scalar(select(func.count()).select_from(PendingPush)) == 0


def test_a_429_that_outlasts_the_clients_waits_drops_nothing_and_the_push_comes_back(connected, emulator):
    from integration.deferred import in_process_jobs

    connected.config["PROCORE_CLIENT_OPTIONS"] = {}  # the client really waits out each 429
    emulator.configure(FAIL_RATE_429=1.0, RETRY_AFTER_503=1)
    marked = db.session.scalar(select(func.count()).select_from(PendingPush))
    jobs = in_process_jobs()
    for job in jobs.waiting():
        jobs._take(job.job_id)
    run = db.session.get(SyncRun, push_company(COMPANY_A, now=NOW.isoformat()))
    assert run.state == "failed" and "RateLimited" in run.error and run.counts["http_429"] == 4
    assert emulator.records() == [] and run.counts.get("pushed", 0) == 0
    assert db.session.scalar(select(func.count()).select_from(PendingPush)) == marked > 0  # every change kept
    assert db.session.scalar(select(func.count()).select_from(PushedRecord).where(
        PushedRecord.payload_sha256.is_not(None))) == 0
    assert [job.job_id for job in jobs.waiting()] == [push_key(COMPANY_A)]  # queued for after the reset
    emulator.configure(FAIL_RATE_429=0.0)
    assert jobs.run_due(everything=True) == 1
    assert len(emulator.records()) == RECORDS and set(emulator.by_origin().values()) == {1}
    assert db.session.scalar(select(func.count()).select_from(PendingPush)) == 0


def test_a_push_that_breaks_off_keeps_its_marks_and_queues_the_next_push(connected, emulator, monkeypatch):
    import sync_jobs.push as push_module
    from integration.deferred import in_process_jobs

    full_push()
    emulator.reset_log()
    vendor = acme()
    jobs = in_process_jobs()
    for job in jobs.waiting():  # the change's own push: this test runs it by hand
        jobs._take(job.job_id)
    real = push_module.load_standings

    def database_gone(*args, **kwargs):
        raise RuntimeError("the database went away mid-push")

    monkeypatch.setattr(push_module, "load_standings", database_gone)
    with pytest.raises(RuntimeError):
        push_company(COMPANY_A, now=NOW.isoformat())
    assert set(db.session.scalars(select(PendingPush.vendor_id))) == {vendor.id}  # nothing sent, nothing cleared
    assert [job.job_id for job in jobs.waiting()] == [push_key(COMPANY_A)]  # not left for the next change
    monkeypatch.setattr(push_module, "load_standings", real)
    assert jobs.run_due(everything=True) == 1
    gl = emulator.record(origin_id(vendor.procore_vendor_id, "general_liability"))
    assert gl["policy_number"] == "GL-7781201" and db.session.scalar(select(func.count()).select_from(PendingPush)) == 0
