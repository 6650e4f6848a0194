"""What the vendor page shows: status, the current evaluation's gaps, documents and overrides, for one company."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from integration.compliance.gaps import gap_info
from integration.evaluations import current_evaluation
from integration.extensions import db
from integration.models import (
    Certificate,
    CoverageGap,
    Evaluation,
    Override,
    Project,
    ProjectAssignment,
    StoredFile,
    Submission,
    Vendor,
)
from integration.tenancy import get_scoped


@dataclass
class VendorPage:
    """Everything the vendor page needs."""

    vendor: Vendor
    evaluation: Evaluation | None
    gaps: list[tuple[CoverageGap, object]]
    files: list[tuple[StoredFile, Certificate | None]]
    overrides: list[Override]
    history: list[Evaluation]
    assignments: list[tuple[ProjectAssignment, Project]]


def vendor_page(company_id: int, vendor_id: int) -> VendorPage | None:
    """The vendor's page data, or None when the vendor is not the company's."""
    vendor = get_scoped(Vendor, vendor_id, company_id)
    if vendor is None:
        return None
    evaluation = current_evaluation(vendor.id, None)
    gaps = []
    if evaluation is not None:
        rows = db.session.scalars(select(CoverageGap).where(CoverageGap.evaluation_id == evaluation.id)
                                  .order_by(CoverageGap.id))
        gaps = [(gap, gap_info(gap.code)) for gap in rows]
    files = db.session.execute(
        select(StoredFile, Certificate).join(Submission, Submission.id == StoredFile.submission_id)
        .outerjoin(Certificate, Certificate.stored_file_id == StoredFile.id)
        .where(Submission.vendor_id == vendor.id).order_by(StoredFile.id.desc())).all()
    overrides = list(db.session.scalars(select(Override).where(Override.vendor_id == vendor.id)
                                        .order_by(Override.id.desc())))
    history = list(db.session.scalars(select(Evaluation).where(Evaluation.vendor_id == vendor.id,
                                                               Evaluation.assignment_id.is_(None))
                                      .order_by(Evaluation.version.desc())))
    assignments = db.session.execute(
        select(ProjectAssignment, Project).join(Project, Project.id == ProjectAssignment.project_id)
        .where(ProjectAssignment.vendor_id == vendor.id).order_by(Project.name)).all()
    return VendorPage(vendor, evaluation, gaps, [tuple(r) for r in files], overrides, history,
                      [tuple(r) for r in assignments])
