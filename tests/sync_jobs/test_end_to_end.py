"""End to end over HTTP, as a new GC would try it: connect, then the first push; an upload shown as being read,
then its verdict; the vendor's own origin_id left alone; each run's record of what it did and what Procore said."""

from __future__ import annotations

from datetime import date

import pytest
import requests
from sqlalchemy import select

from fixtures.certgen import generate
from integration.deferred import in_process_jobs
from integration.extensions import db
from integration.extraction.intake import IncomingFile
from integration.insurance_records import origin_id
from integration.models import Evaluation, Installation, PushedRecord, Submission, SyncRun, Vendor
from integration.reading import read_submission
from integration.submissions import receive
from sync_jobs.push import push_company
from sync_jobs.reconcile import reconcile_company
from tests.embedded_views.test_connect_with_emulator import consent
from tests.fixtures.sandbox_helpers import ADMIN, COMPANY_A
from tests.sync_jobs.emulator import SYNC_ROUTE, point_at, start_emulator
from tests.sync_jobs.test_push import RECORDS, acme, full_push, sample

DIRECTORY_PATHS = ("/rest/v1.0/projects", "/rest/v1.0/vendors", f"/rest/v1.3/companies/{COMPANY_A}/users")
LINES = ("general_liability", "automobile_liability", "umbrella_liability", "workers_compensation")


@pytest.fixture
def sandbox():
    """An emulator that accepts Gapline's callback at the test's public address."""
    running, stop = start_emulator(EXTRA_REDIRECT_URIS=["http://gapline.test/procore/oauth/callback"])
    yield running
    stop()


def run_jobs() -> int:
    """Run every job waiting in this process (the push after the import, and so on) until none is left."""
    jobs, ran = in_process_jobs(), 0
    while count := jobs.run_due(everything=True):
        ran += count
    return ran


def test_connecting_imports_the_directory_and_the_first_push_follows(app, sandbox):
    point_at(app, sandbox)
    client = app.test_client()
    answer = consent(client.get(f"/procore/connect?company_id={COMPANY_A}").headers["Location"], ADMIN)
    page = client.get(f"/procore/oauth/callback?code={answer['code']}&state={answer['state']}")
    assert page.status_code == 200, page.get_data(as_text=True)
    assert db.session.scalar(select(Installation.connection_state)) == "connected"
    assert run_jobs() >= 1  # the push the import's marks queued
    runs = {run.kind: run for run in db.session.scalars(select(SyncRun))}
    assert runs["directory_import"].state == "succeeded" and runs["push"].state == "succeeded", runs["push"].error
    expected = sum(len(lines) for lines in db.session.scalars(select(Evaluation.line_statuses).where(
        Evaluation.is_current.is_(True), Evaluation.assignment_id.is_(None))))
    assert len(sandbox.records()) == expected == runs["push"].counts["pushed"] == RECORDS
    assert set(sandbox.by_origin().values()) == {1}
    assert sandbox.calls() == runs["push"].counts["write_calls"] == 1  # 380 records, one call
    log = requests.get(f"{sandbox.url}/_emulator/requests", timeout=5).json()["requests"]
    directory = [e for e in log if e["method"] == "GET" and e["path"].startswith(DIRECTORY_PATHS)]
    # every run counts its calls; the one more is the sign-in's read of the projects the user may see
    assert runs["directory_import"].counts["read_calls"] == len(directory) - 1 > 0
    assert runs["directory_import"].counts["write_calls"] == 0


def test_an_upload_shows_in_progress_until_it_is_read_then_its_policy(connected, emulator):
    full_push()
    document = generate(3, "fillable")
    vendor = db.session.scalar(select(Vendor).where(Vendor.company_id == COMPANY_A).order_by(Vendor.id))
    vendor.legal_name = document.truth["named_insured"]["name"]
    db.session.commit()
    received = receive(COMPANY_A, vendor.id, [IncomingFile("coi.pdf", document.data)], "staff_upload")
    emulator.reset_log()
    push_company(COMPANY_A)
    gl = origin_id(vendor.procore_vendor_id, "general_liability")
    reading = {line: emulator.record(origin_id(vendor.procore_vendor_id, line)) for line in LINES}
    assert {row["status"] for row in reading.values()} <= {"compliant_in_progress", "non_compliant_in_progress"}
    assert all("New documents are being read." in row["notes"] for row in reading.values())
    assert emulator.calls() == 1
    submission = read_submission(COMPANY_A, received.submission.id, date.today())
    push_company(COMPANY_A)
    record = emulator.record(gl)
    policy = next(p for p in document.truth["policies"] if p["line"] == "general_liability")
    assert (record["policy_number"], record["expiration_date"]) == (policy["policy_number"], policy["expiration_date"])
    assert "New documents are being read." not in record["notes"]
    assert db.session.get(Submission, submission.id).state == "evaluated"
    assert record["status"] == "non_compliant" and "Open gaps:" in record["notes"]  # seed 3's limits are too low
    assert set(emulator.by_origin().values()) == {1} and len(emulator.records()) == RECORDS


def test_a_line_waiting_for_a_person_shows_in_progress_not_a_verdict(connected, emulator):
    cert = sample()
    letter = next(p for p in cert["policies"] if p["line"] == "general_liability")["insurer_letter"]
    next(i for i in cert["insurers"] if i["letter"] == letter)["naic"] = "99999"  # not on the rated list
    vendor = acme(cert)
    full_push()
    gl = emulator.record(origin_id(vendor.procore_vendor_id, "general_liability"))
    assert gl["status"] == "compliant_in_progress" and "a person must check" in gl["notes"]
    assert emulator.record(origin_id(vendor.procore_vendor_id, "automobile_liability"))["status"] == "compliant"


def test_the_vendors_own_origin_id_is_never_written(connected, emulator):
    vendor = db.session.scalar(select(Vendor).where(Vendor.company_id == COMPANY_A).order_by(Vendor.id))
    emulator.store.vendors[vendor.procore_vendor_id]["origin_id"] = "ERP-000417"
    full_push()
    reconcile_company(COMPANY_A, date.today().isoformat())
    assert emulator.store.vendors[vendor.procore_vendor_id]["origin_id"] == "ERP-000417"
    log = requests.get(f"{emulator.url}/_emulator/requests", timeout=5).json()["counts_by_route"]
    writes = {route for route, count in log.items() if not route.startswith("GET ") and count}
    assert writes == {SYNC_ROUTE}  # insurance records only: no vendor was written
    assert all(row["origin_id"].startswith("gapline:") for row in emulator.records())


def test_each_run_records_its_counts_calls_and_procores_messages(connected, emulator):
    emulator.configure(FAIL_RATE_SYNC_ITEM=0.1, FAULT_SEED=9)
    run = full_push()
    counts = run.counts
    assert run.kind == "push" and run.started_at <= run.finished_at
    assert counts["examined"] == RECORDS == counts["pushed"] + counts["failed"] and counts["failed"] > 0
    assert counts["write_calls"] == emulator.calls() == 1 and counts["read_calls"] == 0
    refused = db.session.scalars(select(PushedRecord).where(PushedRecord.last_error.is_not(None))).all()
    assert {f["origin_id"] for f in counts["failures"]} <= {row.origin_id for row in refused}
    assert counts["failures"] and all("fault injection" in f["message"] for f in counts["failures"])
