"""What the vendor page shows: status, the current evaluation's gaps, documents and overrides, for one company."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from integration.compliance.results import Gap
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
from integration.tenancy import get_scoped, scoped


@dataclass
class ShownGap:
    """One gap as the vendor page lists it: the same shortfall on several projects is one row."""

    row: CoverageGap  # as stored: its key (for overrides) and state
    gap: Gap  # its words: title, explanation, ask, expected, found and where
    company_wide: bool = False  # found against the company's own requirements (no project)
    projects: list[str] = field(default_factory=list)

    @property
    def applies_to(self) -> str:
        """Which requirements the gap is found against, in words."""
        scope = ["Company requirements"] if self.company_wide else []
        return "; ".join([*scope, ", ".join(self.projects)] if self.projects else scope)


@dataclass
class VendorPage:
    """Everything the vendor page needs."""

    vendor: Vendor
    evaluation: Evaluation | None
    gaps: list[ShownGap]
    files: list[tuple[StoredFile, Certificate | None]]
    overrides: list[Override]
    history: list[Evaluation]
    assignments: list[tuple[ProjectAssignment, Project]]


def procore_vendor_page(company_id: int, procore_vendor_id: int) -> VendorPage | None:
    """The page of the vendor Procore knows by ``procore_vendor_id``, or None when it is not imported."""
    vendor_id = db.session.scalar(scoped(Vendor, company_id).with_only_columns(Vendor.id)
                                  .where(Vendor.procore_vendor_id == procore_vendor_id))
    return vendor_page(company_id, vendor_id) if vendor_id else None


def vendor_page(company_id: int, vendor_id: int) -> VendorPage | None:
    """The vendor's page data, or None when the vendor is not the company's."""
    vendor = get_scoped(Vendor, vendor_id, company_id)
    if vendor is None:
        return None
    evaluation = current_evaluation(vendor, None)
    gaps = shown_gaps(vendor)
    files = db.session.execute(
        scoped(StoredFile, company_id).add_columns(Certificate)
        .join(Submission, Submission.id == StoredFile.submission_id)
        .outerjoin(Certificate, Certificate.stored_file_id == StoredFile.id)
        .where(Submission.vendor_id == vendor.id).order_by(StoredFile.id.desc())).all()
    overrides = list(db.session.scalars(scoped(Override, company_id).where(Override.vendor_id == vendor.id)
                                        .order_by(Override.id.desc())))
    history = list(db.session.scalars(scoped(Evaluation, company_id).where(Evaluation.vendor_id == vendor.id,
                                                                           Evaluation.assignment_id.is_(None))
                                      .order_by(Evaluation.version.desc())))
    assignments = db.session.execute(
        scoped(ProjectAssignment, company_id).add_columns(Project)
        .join(Project, Project.id == ProjectAssignment.project_id)
        .where(ProjectAssignment.vendor_id == vendor.id).order_by(Project.name)).all()
    return VendorPage(vendor, evaluation, gaps, [tuple(r) for r in files], overrides, history,
                      [tuple(r) for r in assignments])


def shown_gaps(vendor: Vendor) -> list[ShownGap]:
    """The gaps of the vendor's current evaluations, one row per shortfall, naming the projects it affects."""
    rows = db.session.execute(
        scoped(CoverageGap, vendor.company_id).add_columns(Evaluation.assignment_id, Project.name)
        .join(Evaluation, Evaluation.id == CoverageGap.evaluation_id)
        .outerjoin(ProjectAssignment, ProjectAssignment.id == Evaluation.assignment_id)
        .outerjoin(Project, Project.id == ProjectAssignment.project_id)
        .where(Evaluation.vendor_id == vendor.id, Evaluation.is_current.is_(True))
        .order_by(Evaluation.assignment_id.is_not(None), CoverageGap.id)).all()
    return grouped_gaps((gap, assignment_id is None, project) for gap, assignment_id, project in rows)


def grouped_gaps(rows: Iterable[tuple[CoverageGap, bool, str | None]]) -> list[ShownGap]:
    """Gap rows (with: found against the company's own set, and the project otherwise) as one entry per shortfall.

    Give the company-level rows first, so each entry shows the company-level row.
    """
    shown: dict[tuple, ShownGap] = {}
    for row, company_wide, project in rows:
        same = (row.gap_key, row.state, row.explanation, row.expected, row.found)
        entry = shown.setdefault(same, ShownGap(row, row.to_gap()))
        if company_wide:
            entry.company_wide = True
        elif project not in entry.projects:
            entry.projects.append(project)
    return list(shown.values())
