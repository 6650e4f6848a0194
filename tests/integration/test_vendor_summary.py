"""The compliance table's kept rows match a from-scratch computation after every kind of change."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.models import CoverageGap, Evaluation, OutreachRequest, Vendor, VendorSummary
from integration.outreach.history import next_action
from integration.outreach.requests import cancel_request, request_documents
from integration.overrides import create_override, revoke_override, set_outreach_muted
from integration.requirement_sets import replace_carriers, save_set
from integration.vendor_summary import COLUMNS, computed, rebuild, refresh, refreshed_once
from integration.vendor_table import TableFilter, vendor_table
from sync_jobs.compliance import reevaluate_company
from tests import factories

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"
MARCH = date(2026, 3, 1)
ENDS = date(2027, 1, 1)  # the sample certificate's earliest expiry
C = 10
pytestmark = pytest.mark.integration


def certificate(each_occurrence: int = 1_000_000) -> dict:
    cert = copy.deepcopy(json.loads((SAMPLES / "certificate_acme_drywall.json").read_text()))
    next(p for p in cert["policies"] if p["line"] == "general_liability")["limits"]["each_occurrence"] = each_occurrence
    return cert


@pytest.fixture
def world(database):
    base = factories.company(C, "Summit Builders, Inc.", "Acme Drywall", legal_name="Acme Drywall, LLC",
                             email="office@acme.test")
    save_set(C, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    replace_carriers(C, (SAMPLES / "carriers.csv").read_text(), None)
    base.project = factories.project(C, "Tower")
    base.assignment = factories.assignment(base.project, base.vendor)
    base.other = factories.vendor(C, "Bolt Electric", email="office@bolt.test")
    factories.assignment(base.project, base.other)
    factories.company(C + 1, "Other GC", "Acme Drywall")  # another tenant's rows stay out of ours
    db.session.commit()
    return base


def kept() -> list[tuple]:
    columns = [VendorSummary.__table__.c[name] for name in COLUMNS]
    return sorted(db.session.execute(select(*columns).where(VendorSummary.company_id == C)).all(), key=repr)


def from_scratch() -> list[tuple]:
    ids = db.session.scalars(select(Vendor.id).where(Vendor.company_id == C)).all()
    return sorted(db.session.execute(computed(C, list(ids))).all(), key=repr)


def row(world, project: bool = True) -> VendorSummary:
    return db.session.scalar(select(VendorSummary).where(
        VendorSummary.vendor_id == world.vendor.id,
        VendorSummary.project_id == world.project.id if project else VendorSummary.assignment_id.is_(None)))


def open_gap_count(world) -> int:
    return db.session.scalar(select(func.count()).select_from(CoverageGap).join(Evaluation).where(
        Evaluation.assignment_id == world.assignment.id, Evaluation.is_current.is_(True),
        CoverageGap.state == "open")) or 0


def assert_in_step(world) -> None:
    """The kept rows equal the computed ones, and the vendor's row says what the vendor page says."""
    db.session.expire_all()
    assert kept() == from_scratch()
    assert len(kept()) == 4  # two vendors, each company-wide and on the project
    vendor = db.session.get(Vendor, world.vendor.id)
    on_project, company_wide = row(world), row(world, project=False)
    assert on_project.open_gaps == open_gap_count(world)
    assert on_project.next_action == next_action(vendor, world.project.id)
    assert company_wide.next_action == next_action(vendor, None) and company_wide.status == vendor.status


def test_an_evaluation_an_override_and_its_revocation_keep_the_rows_in_step(world):
    assert_in_step(world)
    factories.certificate(world.vendor, certificate(each_occurrence=500_000))
    db.session.commit()
    evaluate_vendor(C, world.vendor.id, MARCH)
    db.session.commit()
    assert_in_step(world)
    assert (row(world).status, row(world).open_gaps, row(world).expires_on) == ("not_compliant", 1, ENDS)
    override = create_override(C, world["admin"], world.vendor.id, "general_liability.each_occurrence",
                               "mark_compliant", "Broker letter confirms $1M", MARCH)
    assert_in_step(world)
    assert (row(world).status, row(world).open_gaps) == ("compliant", 0)
    revoke_override(C, world["admin"], override.id, MARCH)
    assert_in_step(world)
    assert (row(world).status, row(world).open_gaps, row(world).next_action) == ("not_compliant", 1, "Send Gaps")


def summary_writes(statements: list[str]) -> int:
    return sum(statement.lstrip().upper().startswith("DELETE FROM VENDOR_SUMMARIES") for statement in statements)


@pytest.fixture
def statements(world):
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def test_an_override_and_its_revocation_write_the_vendors_rows_once_each(world, statements):
    factories.certificate(world.vendor, certificate(each_occurrence=500_000))
    db.session.commit()
    evaluate_vendor(C, world.vendor.id, MARCH)
    db.session.commit()
    statements.clear()
    override = create_override(C, world["admin"], world.vendor.id, "general_liability.each_occurrence",
                               "mark_compliant", "Broker letter confirms $1M", MARCH)
    assert summary_writes(statements) == 1  # not once per flush on the way (the override, its evaluation)
    statements.clear()
    revoke_override(C, world["admin"], override.id, MARCH)
    assert summary_writes(statements) == 1
    assert_in_step(world)


def test_a_block_that_fails_writes_nothing_and_later_flushes_write_again(world):
    with pytest.raises(RuntimeError), refreshed_once():
        db.session.get(Vendor, world.vendor.id).name = "Acme Drywall (renamed)"
        db.session.flush()
        assert row(world).name == "Acme Drywall"  # not yet: the block writes as it ends
        raise RuntimeError("the request failed")
    db.session.rollback()
    db.session.get(Vendor, world.vendor.id).name = "Acme Drywall & Paint"
    db.session.commit()
    assert row(world).name == "Acme Drywall & Paint"
    assert_in_step(world)


def test_a_request_sent_muting_and_cancelling_keep_the_rows_in_step(world):
    evaluate_vendor(C, world.vendor.id, MARCH)
    db.session.commit()
    assert row(world).next_action == "Request New COI" and row(world).last_requested_at is None
    request = request_documents(C, world.vendor.id, world.project.id, world["admin"], MARCH)
    assert_in_step(world)
    sent = db.session.get(OutreachRequest, request.id).created_at
    assert row(world).last_requested_at == sent and row(world, project=False).last_requested_at == sent
    assert row(world).next_action is None  # its emails are running
    cancel_request(C, request.id, world["admin"])
    db.session.commit()
    assert_in_step(world)
    set_outreach_muted(C, world["admin"], world.vendor.id, True)
    db.session.commit()
    assert_in_step(world)
    assert row(world).next_action is None and row(world, project=False).next_action is None
    db.session.get(Vendor, world.vendor.id).name = "Acme Drywall & Paint"  # as the directory import renames it
    db.session.commit()
    assert_in_step(world)
    assert [r.name for r in vendor_table(C, world.project.id, TableFilter(q="paint"), MARCH).rows] == [
        "Acme Drywall & Paint"]


def test_expiry_by_date_and_bulk_reevaluation_keep_the_rows_in_step(world):
    factories.certificate(world.vendor, certificate())
    db.session.commit()
    evaluate_vendor(C, world.vendor.id, MARCH)
    db.session.commit()
    assert row(world).status == "compliant"
    # Nothing stored depends on the day: the same row is "expiring" when read 20 days before it ends.
    soon = vendor_table(C, world.project.id, TableFilter(status="expiring"), ENDS - timedelta(days=20))
    assert [r.name for r in soon.rows] == ["Acme Drywall"] and soon.total == 1
    assert vendor_table(C, world.project.id, TableFilter(status="expiring"), MARCH).rows == []
    evaluate_vendor(C, world.vendor.id, ENDS)  # the day after the last day of cover
    db.session.commit()
    assert_in_step(world)
    assert (row(world).status, row(world).next_action) == ("expired", "Request New COI")
    body = json.loads((SAMPLES / "requirements_standard.json").read_text())
    body["lines"]["general_liability"]["limits"]["each_occurrence"] = 2_000_000
    save_set(C, body, world["admin"])
    db.session.commit()
    reevaluate_company(C, "requirements_changed", MARCH.isoformat())  # bulk writes, around the ORM
    assert_in_step(world)
    assert row(world).status == "not_compliant" and row(world).open_gaps >= 1


def test_leaving_a_project_and_a_rebuild_leave_the_same_rows(world):
    db.session.delete(world.assignment)
    db.session.commit()
    db.session.expire_all()
    assert kept() == from_scratch() and len(kept()) == 3
    assert row(world, project=False).projects == 0
    before = kept()
    rebuild(C)
    refresh(C, [world.vendor.id, world.other.id])
    assert kept() == before
