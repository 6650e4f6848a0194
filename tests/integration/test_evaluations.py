"""Evaluations kept in the database: versions and history, expiry by date, overrides with roles, bulk re-evaluation."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from integration.evaluations import current_evaluation, evaluate_vendor
from integration.extensions import db
from integration.models import AppUser, AuditEvent, Certificate, CoverageGap, Evaluation, ProjectAssignment, Vendor
from integration.overrides import OverrideRefused, create_override, revoke_override, set_outreach_muted
from integration.requirement_sets import RequirementCache, effective_set, replace_carriers, save_set
from sync_jobs.compliance import reevaluate_company
from tests import factories
from tests.integration.compliance.compliance_factories import remove_line

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"
MARCH = date(2026, 3, 1)


def sample_certificate(**changes) -> dict:
    cert = json.loads((SAMPLES / "certificate_acme_drywall.json").read_text())
    for key, value in changes.items():
        cert[key] = value
    return cert


@pytest.fixture
def company(database) -> factories.Company:
    world = factories.company(10, "Summit Builders, Inc.", "Acme Drywall", legal_name="Acme Drywall, LLC")
    save_set(10, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    replace_carriers(10, (SAMPLES / "carriers.csv").read_text(), None)
    db.session.commit()
    return world


def submit(vendor: Vendor, cert: dict) -> Certificate:
    row = factories.certificate(vendor, cert)
    db.session.commit()
    return row


def low_gl_occurrence() -> dict:
    cert = sample_certificate()
    cert = copy.deepcopy(cert)
    gl = next(p for p in cert["policies"] if p["line"] == "general_liability")
    gl["limits"]["each_occurrence"] = 500_000
    return cert


def test_a_vendor_without_documents_awaits_them(company):
    vendor = evaluate_vendor(10, company.vendor.id, MARCH)
    assert vendor.status == "nothing_received"


def test_compliant_then_expired_on_the_day_after_expiry_keeping_history(company):
    vendor = company.vendor
    submit(vendor, sample_certificate())
    assert evaluate_vendor(10, vendor.id, MARCH).status == "compliant"
    assert evaluate_vendor(10, vendor.id, date(2026, 3, 2)).status == "compliant"
    assert evaluate_vendor(10, vendor.id, date(2027, 1, 1)).status == "expired"  # expiry date 2027-01-01
    versions = db.session.scalars(select(Evaluation).where(Evaluation.vendor_id == vendor.id)
                                  .order_by(Evaluation.version)).all()
    assert [(e.version, e.status, e.is_current) for e in versions] == [
        (1, "compliant", False), (2, "expired", True)]
    assert versions[0].evaluated_for == date(2026, 3, 2)  # unchanged result: no new version, date moves


def test_gaps_are_recorded_with_code_and_explanation(company):
    vendor = company.vendor
    submit(vendor, low_gl_occurrence())
    assert evaluate_vendor(10, vendor.id, MARCH).status == "not_compliant"
    gap = db.session.scalar(select(CoverageGap).where(CoverageGap.code == "gl_each_occurrence_below"))
    assert gap.gap_key == "general_liability.each_occurrence" and gap.state == "open"
    assert gap.requirement_keys == ["general_liability.each_occurrence"] and gap.ask
    assert gap.found == "$500,000" and gap.expected == "at least $1,000,000" and gap.explanation


def test_only_admins_and_compliance_managers_override_and_a_reason_is_required(company):
    vendor = company.vendor
    submit(vendor, low_gl_occurrence())
    evaluate_vendor(10, vendor.id, MARCH)
    key = "general_liability.each_occurrence"
    with pytest.raises(OverrideRefused, match="your role is viewer"):
        create_override(10, company["viewer"], vendor.id, key, "waive", "ok by PM", MARCH)
    with pytest.raises(OverrideRefused, match="A reason is required"):
        create_override(10, company["admin"], vendor.id, key, "waive", "  ", MARCH)
    with pytest.raises(OverrideRefused, match="not one of this vendor's current open gaps"):
        create_override(10, company["admin"], vendor.id, "general_liability.nonsense", "waive", "x", MARCH)
    assert current_evaluation(vendor, None).status == "not_compliant"
    override = create_override(10, company["compliance_manager"], vendor.id, key, "mark_compliant",
                               "Broker letter confirms $1M per occurrence", MARCH)
    assert db.session.get(Vendor, vendor.id).status == "compliant"
    gap = db.session.scalar(select(CoverageGap).join(Evaluation).where(Evaluation.is_current.is_(True),
                                                                       CoverageGap.code == "gl_each_occurrence_below"))
    assert gap.state == "marked_compliant" and gap.override_id == override.id
    revoke_override(10, company["admin"], override.id, MARCH)
    assert db.session.get(Vendor, vendor.id).status == "not_compliant"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "Override")).all()
    assert actions == ["override.created", "override.revoked"]


def test_an_override_expires_by_date(company):
    vendor = company.vendor
    submit(vendor, low_gl_occurrence())
    evaluate_vendor(10, vendor.id, MARCH)
    create_override(10, company["admin"], vendor.id, "general_liability.each_occurrence", "waive", "Small job",
                    MARCH, expires_on=date(2026, 4, 1))
    assert db.session.get(Vendor, vendor.id).status == "waived"
    assert evaluate_vendor(10, vendor.id, date(2026, 4, 1)).status == "not_compliant"


def test_a_foreign_company_user_cannot_override(company):
    vendor = company.vendor
    outsider = AppUser(company_id=10, procore_user_id=99, role="admin")
    outsider.company_id = 11
    with pytest.raises(OverrideRefused, match="your own company"):
        create_override(10, outsider, vendor.id, "general_liability.each_occurrence", "waive", "x", MARCH)


def test_changing_requirements_reevaluates_in_bulk_and_keeps_history(company):
    vendor = company.vendor
    submit(vendor, sample_certificate())
    evaluate_vendor(10, vendor.id, MARCH)
    body = json.loads((SAMPLES / "requirements_standard.json").read_text())
    body["lines"]["general_liability"]["limits"]["each_occurrence"] = 2_000_000
    save_set(10, body, company["admin"])
    assert reevaluate_company(10, "requirements_changed", MARCH.isoformat()) == 1
    history = db.session.scalars(select(Evaluation.status).where(Evaluation.vendor_id == vendor.id)
                                 .order_by(Evaluation.version)).all()
    assert history == ["compliant", "not_compliant"]


def test_project_override_and_assignment_window(company):
    vendor = company.vendor
    project = factories.project(10, "Riverside Clinic")
    factories.assignment(project, vendor, work_starts_on=date(2026, 6, 1), work_ends_on=date(2027, 6, 30))
    submit(vendor, sample_certificate())
    save_set(10, {"lines": {"general_liability": {"limits": {"each_occurrence": 3_000_000}}}}, None,
             project_id=project.id)
    assert effective_set(10, project.id).lines["general_liability"].limits["each_occurrence"] == 3_000_000
    vendor = evaluate_vendor(10, vendor.id, MARCH)
    assignment = db.session.scalar(select(ProjectAssignment))
    assert assignment.status == "not_compliant"  # policies end before the work does, and the limit is higher
    assert vendor.status == "not_compliant"
    assert current_evaluation(vendor, None).status == "compliant"  # the company-level view is fine


def test_the_requirement_cache_resolves_every_scope_as_effective_set_does(company):
    tower, pier = factories.project(10, "Tower"), factories.project(10, "Harbor Pier")
    save_set(10, {"lines": {"general_liability": {"limits": {"each_occurrence": 3_000_000}}}}, None,
             project_id=tower.id)
    save_set(10, {"lines": {"umbrella_liability": {"limits": {"each_occurrence": 7_000_000}}}}, None, tier="high_risk")
    db.session.commit()
    cache = RequirementCache(10)
    for project_id in (None, tower.id, pier.id):
        for tier in (None, "light", "standard", "high_risk"):
            assert cache.effective(project_id, tier).to_dict() == effective_set(10, project_id, tier).to_dict()
    assert cache.effective(tower.id, "high_risk").lines["general_liability"].limits["each_occurrence"] == 3_000_000


def test_outreach_mute_needs_a_role_and_is_audited(company):
    vendor = company.vendor
    with pytest.raises(OverrideRefused):
        set_outreach_muted(10, company["viewer"], vendor.id, True)
    assert set_outreach_muted(10, company["admin"], vendor.id, True).outreach_muted is True
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.subject_type == "Vendor")) == \
        "vendor.outreach_muted"


def test_the_vendor_page_shows_line_and_project_statuses(company, database):
    from tests.conftest import signed_in

    vendor = company.vendor
    factories.assignment(factories.project(10, "Harbor Pier"), vendor)
    submit(vendor, low_gl_occurrence())
    evaluate_vendor(10, vendor.id, MARCH)
    db.session.commit()
    viewer = signed_in(database, company["viewer"])
    page = viewer.get(f"/procore/companies/10/vendors/{vendor.id}").get_data(as_text=True)
    assert "General liability <span class=\"status status-not_compliant\">" in page
    assert "Workers&#39; compensation <span class=\"status status-compliant\">" in page
    assert "Harbor Pier" in page


def test_a_roofer_is_held_to_the_high_risk_tier(company):
    from integration.directory import DirectoryIndex

    roofer = DirectoryIndex.load(10).vendor({"id": 99, "name": "Top Roofing", "legal_name": "Acme Drywall, LLC",
                                             "trades": [{"name": "Roofing"}]})
    db.session.commit()
    assert roofer.trade_tier == "high_risk"
    submit(roofer, sample_certificate())  # $1M per occurrence: enough for standard trades, not for roofers
    evaluate_vendor(10, roofer.id, MARCH)
    codes = set(db.session.scalars(select(CoverageGap.code).join(Evaluation).where(Evaluation.vendor_id == roofer.id)))
    assert "gl_each_occurrence_below" in codes


def _two_projects(vendor: Vendor) -> None:
    for name in ("Riverside Clinic", "Harbor Pier"):
        factories.assignment(factories.project(10, name), vendor)


def test_the_same_shortfall_on_several_projects_is_one_gap_naming_them(company):
    from integration.vendor_view import vendor_page

    vendor = company.vendor
    _two_projects(vendor)
    submit(vendor, low_gl_occurrence())
    evaluate_vendor(10, vendor.id, MARCH)
    shown = vendor_page(10, vendor.id).gaps
    assert [(s.row.gap_key, s.company_wide, sorted(s.projects)) for s in shown] == [
        ("general_liability.each_occurrence", True, ["Harbor Pier", "Riverside Clinic"])]
    stored = db.session.scalars(select(CoverageGap).join(Evaluation).where(Evaluation.is_current.is_(True))).all()
    assert len(stored) == 3  # one per evaluation (company, and each project): the page shows one


def test_waiving_a_missing_line_waives_the_vendor_on_every_project_at_once(company):
    vendor = company.vendor
    _two_projects(vendor)
    submit(vendor, remove_line(sample_certificate(), "umbrella_liability"))
    assert evaluate_vendor(10, vendor.id, MARCH).status == "not_compliant"
    gaps = db.session.scalars(select(CoverageGap).join(Evaluation).where(Evaluation.is_current.is_(True))).all()
    assert {g.gap_key for g in gaps} == {"umbrella_liability.coverage"} and len(gaps) == 3
    override = create_override(10, company["admin"], vendor.id, "umbrella_liability.coverage", "waive",
                               "Owner accepts no umbrella on small jobs", MARCH)
    assert override.gap_label == "Umbrella or excess liability is missing"
    assert db.session.get(Vendor, vendor.id).status == "waived"
    assert set(db.session.scalars(select(ProjectAssignment.status))) == {"waived"}
    states = db.session.scalars(select(CoverageGap.state).join(Evaluation).where(Evaluation.is_current.is_(True)))
    assert set(states) == {"waived"}
    with pytest.raises(OverrideRefused, match="not one of this vendor's current open gaps"):
        create_override(10, company["admin"], vendor.id, "umbrella_liability.each_occurrence", "waive", "x", MARCH)


@pytest.mark.parametrize(("holder", "holder_gap"), [
    ("SUMMIT BUILDERS INC", False),
    ("Summit Builders, Inc", False),
    ("Peak Builders, Inc.", True),
])
def test_by_default_the_certificate_holder_is_checked_against_the_gcs_name_from_procore(database, holder,
                                                                                       holder_gap):
    world = factories.company(12, "Summit Builders, Inc.", "Acme Drywall", legal_name="Acme Drywall, LLC")
    cert = sample_certificate()  # no set saved: the shipped default, which names no holder
    cert["certificate_holder"] = {**cert["certificate_holder"], "name": holder}
    submit(world.vendor, cert)
    evaluate_vendor(12, world.vendor.id, MARCH)
    codes = db.session.scalars(select(CoverageGap.code).where(CoverageGap.company_id == 12)).all()
    assert ("holder_mismatch" in codes) is holder_gap
