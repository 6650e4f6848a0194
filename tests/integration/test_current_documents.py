"""A newer certificate replaces an older one: the checks on the documents as a whole follow it, on the
vendor page and in Procore's records, alone or in a batch; a waiver stays with its gap and hides nothing new."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from integration import review
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.insurance_standing import load_standings
from integration.models import CoverageGap, Evaluation, ProjectAssignment
from integration.overrides import create_override
from integration.requirement_sets import replace_carriers, save_set
from sync_jobs.compliance import reevaluate_company
from tests import factories
from tests.conftest import signed_in
from tests.integration.compliance.compliance_factories import remove_line

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"
MARCH = date(2026, 3, 1)
OLD_HOLDER, OLD_INSURED = "Bluewater Construction LLC", "Northgate Paving Group LLC"


def certificate(file: str, holder: str, insured: str, prefix: str, starts: str, ends: str, **fields) -> dict:
    """The fixture certificate issued to ``holder`` for ``insured``, its policy numbers starting ``prefix``."""
    cert = json.loads((SAMPLES / "certificate_acme_drywall.json").read_text())
    cert.update(file=file, **fields)
    cert["certificate_holder"]["name"], cert["named_insured"]["name"] = holder, insured
    for row in cert["policies"]:
        row["policy_number"] = prefix + row["policy_number"]
        row["effective_date"], row["expiration_date"] = starts, ends
    return cert


def old_certificate() -> dict:
    """What staff uploaded first: every line, made out to the wrong holder for the wrong insured."""
    return certificate("old.pdf", OLD_HOLDER, OLD_INSURED, "OLD-", "2026-01-01", "2027-01-01")


def new_certificate(holder: str = "Silverline Builders", each_occurrence: int = 1_000_000) -> dict:
    """What the subcontractor sent later: no umbrella (nobody asks for one), waiting for a person to check it."""
    cert = certificate("new.pdf", holder, "Evergreen Pavng", "NEW-", "2026-02-01", "2027-02-01", needs_review=True)
    cert["policies"][0]["limits"]["each_occurrence"] = each_occurrence
    return remove_line(cert, "umbrella_liability")


@pytest.fixture
def company(database) -> factories.Company:
    """A GC whose company requirements ask for no umbrella."""
    world = factories.company(10, "Silverline Builders", "Evergreen Paving", legal_name="Evergreen Paving")
    body = json.loads((SAMPLES / "requirements_standard.json").read_text())
    body["lines"].pop("umbrella_liability")
    save_set(10, {**body, "certificate_holder": "Silverline Builders"}, None)
    replace_carriers(10, (SAMPLES / "carriers.csv").read_text(), None)
    factories.certificate(world.vendor, old_certificate(), channel="staff_upload")
    db.session.commit()
    evaluate_vendor(10, world.vendor.id, MARCH)
    db.session.commit()
    return world


def approve_newer(world: factories.Company, **changes) -> None:
    """The newer certificate arrives by the upload link and a reviewer approves it, correcting the insured."""
    row = factories.certificate(world.vendor, new_certificate(**changes))
    db.session.commit()
    evaluate_vendor(10, world.vendor.id, MARCH, trigger="submission")
    db.session.commit()
    review.approve(10, world["admin"], row.id, {"named_insured.name": "Evergreen Paving"}, MARCH)


def current_gaps(vendor_id: int, assignment: bool = False) -> dict[str, CoverageGap]:
    """The gaps of the vendor's current company-level (or project) evaluation, by key."""
    where = Evaluation.assignment_id.is_not(None) if assignment else Evaluation.assignment_id.is_(None)
    rows = db.session.scalars(select(CoverageGap).join(Evaluation, Evaluation.id == CoverageGap.evaluation_id)
                              .where(Evaluation.vendor_id == vendor_id, Evaluation.is_current.is_(True), where))
    return {gap.gap_key: gap for gap in rows}


def test_the_older_certificate_fails_holder_and_insured_to_begin_with(company):
    gaps = current_gaps(company.vendor.id)
    assert gaps["certificate.holder"].explanation.startswith(f"The certificate is made out to {OLD_HOLDER}")
    assert gaps["certificate.named_insured"].source["file"] == "old.pdf"


def test_after_approving_the_newer_certificate_the_whole_document_checks_are_made_on_it(database, company):
    approve_newer(company)
    assert current_gaps(company.vendor.id) == {}
    assert company.vendor.status == "compliant"
    page = signed_in(database, company["viewer"]).get(
        f"/procore/companies/10/vendors/{company.vendor.id}").get_data(as_text=True)
    assert "NEW-GL-7781201" in page
    assert OLD_HOLDER not in page and OLD_INSURED not in page
    records = {r.line: r for r in load_standings(10, [company.vendor.id], base_url="", today=MARCH)[0].records()}
    assert records["general_liability"].policy_number == "NEW-GL-7781201"
    assert OLD_HOLDER not in records["general_liability"].notes
    assert OLD_INSURED not in records["general_liability"].notes


def test_a_newer_certificate_to_the_wrong_holder_is_named_not_the_older_one(company):
    approve_newer(company, holder="Silverline Homes")
    gaps = current_gaps(company.vendor.id)
    assert list(gaps) == ["certificate.holder"]
    assert gaps["certificate.holder"].found == "Silverline Homes"
    assert gaps["certificate.holder"].source["file"] == "new.pdf"


def test_a_project_that_asks_for_the_umbrella_still_checks_the_certificate_that_holds_it(company):
    """The old certificate's umbrella counts where a project requires one, so its holder is checked there."""
    project = factories.project(10, "Harbor Lofts")
    umbrella = json.loads((SAMPLES / "requirements_standard.json").read_text())["lines"]["umbrella_liability"]
    save_set(10, {"lines": {"umbrella_liability": umbrella}}, None, project_id=project.id)
    factories.assignment(project, company.vendor)
    db.session.commit()
    approve_newer(company)
    company_wide, on_project = current_gaps(company.vendor.id), current_gaps(company.vendor.id, assignment=True)
    assert company_wide == {}
    assert on_project["certificate.holder"].found == OLD_HOLDER
    assert on_project["certificate.named_insured"].found == OLD_INSURED
    alone = db.session.scalars(select(ProjectAssignment.status)).all()
    reevaluate_company(10, "requirements_changed", MARCH.isoformat())  # the batched path agrees
    assert current_gaps(company.vendor.id) == {} and db.session.scalars(select(ProjectAssignment.status)).all() == alone
    assert current_gaps(company.vendor.id, assignment=True)["certificate.holder"].found == OLD_HOLDER


def test_a_waiver_of_the_holder_gap_stays_with_that_gap_and_hides_no_new_shortfall(company):
    """An override names a gap as people see it (this vendor, the holder check), whichever document shows it."""
    create_override(10, company["admin"], company.vendor.id, "certificate.holder", "waive",
                    "The owner accepts certificates made out to the parent company", MARCH)
    db.session.commit()
    assert current_gaps(company.vendor.id)["certificate.holder"].state == "waived"
    assert current_gaps(company.vendor.id)["certificate.named_insured"].state == "open"
    approve_newer(company, holder="Silverline Homes", each_occurrence=500_000)  # and a new shortfall
    gaps = current_gaps(company.vendor.id)
    assert gaps["certificate.holder"].state == "waived" and gaps["certificate.holder"].found == "Silverline Homes"
    assert gaps["general_liability.each_occurrence"].state == "open"
    assert sorted(gaps) == ["certificate.holder", "general_liability.each_occurrence"]
    assert company.vendor.status == "not_compliant"
