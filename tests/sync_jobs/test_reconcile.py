"""The nightly reconcile over HTTP: expiries, records edited or deleted in Procore repaired, the directory pulled
incrementally, only differences pushed; one sync job per company at a time; a crashed run resumes."""

from __future__ import annotations

from datetime import date

import requests
from sqlalchemy import select

from integration.deferred import in_process_jobs
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.insurance_records import origin_id
from integration.models import SyncRun, Vendor
from integration.sync_lock import company_sync_lock
from integration.sync_runs import save_checkpoint, start_run
from sync_jobs.push import push_company, push_key
from sync_jobs.reconcile import reconcile_all_companies, reconcile_company
from tests import factories
from tests.fixtures.sandbox_helpers import COMPANY_A, bearer, sign_in
from tests.sync_jobs.test_push import MARCH, RECORDS, acme, full_push

INSURANCES = "GET /rest/v1.0/companies/<int:company_id>/insurances"


def procore_user(emulator) -> dict:
    """Headers of a person signed in to Procore (not Gapline's token)."""
    return bearer(sign_in(emulator.app.test_client()), COMPANY_A)


def test_records_edited_or_deleted_in_procore_are_repaired(connected, emulator):
    vendor = acme()
    full_push()
    edited = emulator.record(origin_id(vendor.procore_vendor_id, "general_liability"))
    deleted = emulator.record(origin_id(vendor.procore_vendor_id, "automobile_liability"))
    base = f"{emulator.url}/rest/v1.0/companies/{COMPANY_A}/insurances"
    headers = procore_user(emulator)
    assert requests.patch(f"{base}/{edited['id']}", headers=headers, timeout=5,
                          json={"insurance": {"status": "non_compliant", "notes": "typed over"}}).status_code == 200
    assert requests.delete(f"{base}/{deleted['id']}", headers=headers, timeout=5).status_code == 204
    emulator.reset_log()
    run = db.session.get(SyncRun, reconcile_company(COMPANY_A, MARCH.isoformat()))
    assert run.state == "succeeded", run.error
    assert run.counts["edited_in_procore"] == 1 and run.counts["deleted_in_procore"] == 1
    assert run.counts["pushed"] == 2 and run.counts["write_calls"] == 1 == emulator.calls()
    repaired = emulator.record(edited["origin_id"])
    assert repaired["id"] == edited["id"] and repaired["status"] == "compliant"
    assert "typed over" not in repaired["notes"]
    assert emulator.record(deleted["origin_id"])["status"] == "compliant"
    assert set(emulator.by_origin().values()) == {1} and len(emulator.records()) == RECORDS


def test_a_reconcile_with_nothing_to_repair_writes_nothing(connected, emulator):
    full_push()
    emulator.reset_log()
    run = db.session.get(SyncRun, reconcile_company(COMPANY_A, MARCH.isoformat()))
    assert run.state == "succeeded" and run.counts["write_calls"] == 0 and emulator.calls() == 0
    assert run.counts["examined"] == run.counts["unchanged"] == RECORDS
    assert run.counts["read_calls"] == emulator.calls(INSURANCES) + emulator.calls(
        "GET /rest/<any(\"v1.0\",\"v1.1\"):version>/projects") + emulator.calls(
        "GET /rest/<any(\"v1.0\",\"v1.1\"):version>/vendors") + emulator.calls(
        "GET /rest/<any(\"v1.0\",\"v1.1\"):version>/projects/<int:project_id>/vendors")
    vendors = [e for e in requests.get(f"{emulator.url}/_emulator/requests", timeout=5).json()["requests"]
               if e["path"] == "/rest/v1.0/vendors"]
    assert vendors and all("filters%5Bupdated_at%5D" in e["query"] for e in vendors)  # incremental pull


def test_the_reconcile_reevaluates_policies_that_expired_and_pushes_them(connected, emulator):
    vendor = acme()
    evaluate_vendor(COMPANY_A, vendor.id, date(2026, 12, 31))
    db.session.commit()
    full_push()
    run = db.session.get(SyncRun, reconcile_company(COMPANY_A, "2027-01-02"))
    assert run.counts["reevaluated"] == 1
    for line in ("general_liability", "workers_compensation"):
        assert emulator.record(origin_id(vendor.procore_vendor_id, line))["status"] == "expired"


def test_a_crashed_reconcile_resumes_from_its_checkpoint(connected, emulator):
    full_push()
    crashed = start_run(COMPANY_A, "reconcile")  # as a worker left it when it died after two steps
    save_checkpoint(crashed, expiries=True, read_back=True)
    db.session.commit()
    emulator.reset_log()
    resumed = reconcile_company(COMPANY_A, MARCH.isoformat())
    run = db.session.get(SyncRun, resumed)
    assert resumed == crashed.id and run.state == "succeeded" and run.counts["resumed"] == 1
    assert emulator.calls(INSURANCES) == 0  # the finished read-back was not done again
    assert run.checkpoint["directory"] and run.checkpoint["push"]


def test_sync_jobs_of_one_company_never_run_at_once(connected, emulator):
    factories.user(COMPANY_A, "admin")
    vendor = db.session.scalar(select(Vendor).where(Vendor.company_id == COMPANY_A))
    evaluate_vendor(COMPANY_A, vendor.id, MARCH)
    db.session.commit()
    jobs = in_process_jobs()
    for job in jobs.waiting():
        jobs._take(job.job_id)
    with company_sync_lock(COMPANY_A) as held:
        assert held
        assert push_company(COMPANY_A) is None and reconcile_company(COMPANY_A) is None
    assert emulator.calls() == 0
    assert db.session.scalar(select(SyncRun).where(SyncRun.kind != "directory_import")) is None
    assert {job.job_id for job in jobs.waiting()} == {push_key(COMPANY_A), f"reconcile_later-{COMPANY_A}"}


def test_the_nightly_run_reconciles_each_connected_company(connected, emulator):
    factories.installation(42, connection_state="disconnected")
    db.session.commit()
    assert reconcile_all_companies() == 1
    assert db.session.scalars(select(SyncRun.company_id).where(SyncRun.kind == "reconcile")).all() == [COMPANY_A]
