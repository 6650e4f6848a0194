"""What the vendor page and the side panel show: status, each coverage line (required, shown, missing), the gaps,
documents, overrides and the files being read, for one company."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from integration.compliance.plain_words import RequiredLine, required_lines
from integration.compliance.requirements import LIMIT_KEYS
from integration.compliance.results import Gap
from integration.compliance.statuses import Status
from integration.compliance.wording import coverage
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
from integration.requirement_sets import effective_set
from integration.tenancy import get_scoped, scoped

READING = ("received", "reading")
READ_FROM = {"acroform": "Read from the PDF's form fields", "text": "Read from the PDF's text",
             "ocr": "Read from a scan"}  # how a document was read, in words


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


@dataclass
class CoverageLine:
    """One coverage line of the vendor: what is required, what the certificate on file shows, and what is missing."""

    line: str
    title: str
    status: Status
    required: RequiredLine | None
    shown: object | None  # insurance_standing.PolicyFacts of the policy the engine chose, if any
    gaps: list[ShownGap] = field(default_factory=list)


@dataclass(frozen=True)
class FileProgress:
    """Where one stored file is: "reading", "read", "needs_review" or "unreadable", with words for people."""

    file_id: int
    name: str
    state: str
    words: str
    certificate_id: int | None

    def to_dict(self) -> dict:
        """Plain-data form (the reading status endpoint's answer)."""
        return {"file_id": self.file_id, "name": self.name, "state": self.state, "words": self.words,
                "certificate_id": self.certificate_id}


def coverage_lines(page: VendorPage, project_id: int | None, today) -> tuple[list[CoverageLine], list[ShownGap]]:
    """Each required line with its status, requirement, chosen policy and own gaps; and the whole-document gaps."""
    from integration.insurance_standing import load_standings  # it builds on this module's ShownGap

    vendor = page.vendor
    standing = load_standings(vendor.company_id, [vendor.id], base_url="", today=today)[0]
    requirements = effective_set(vendor.company_id, project_id, vendor.trade_tier)
    keys = [line for line in LIMIT_KEYS if line in requirements.lines]
    required = dict(zip(keys, required_lines(requirements), strict=True))
    names = list(dict.fromkeys([*keys, *standing.lines]))
    lines = [CoverageLine(line, coverage(line).capitalize(),
                          standing.lines[line].status if line in standing.lines else Status.NOTHING_RECEIVED,
                          required.get(line), standing.policies.get(line),
                          [g for g in page.gaps if g.row.line == line]) for line in names]
    whole = [g for g in page.gaps if g.row.line not in names]
    return lines, whole


def file_progress(company_id: int, vendor_id: int) -> list[FileProgress]:
    """Every stored file of the vendor, newest first, and how far its reading has gone."""
    rows = db.session.execute(
        scoped(StoredFile, company_id).add_columns(Certificate, Submission.state, Submission.failure_reason)
        .join(Submission, Submission.id == StoredFile.submission_id)
        .outerjoin(Certificate, Certificate.stored_file_id == StoredFile.id)
        .where(Submission.vendor_id == vendor_id).order_by(StoredFile.id.desc())).all()
    return [_progress(stored, cert, state, reason) for stored, cert, state, reason in rows]


def _progress(stored: StoredFile, cert: Certificate | None, submission_state: str,
              failure_reason: str | None) -> FileProgress:
    if cert is None:
        words = "Reading…" if submission_state in READING else f"Not read: {failure_reason or 'reading stopped'}"
        return FileProgress(stored.id, stored.filename, "reading" if submission_state in READING else "unread",
                            words, None)
    if not cert.ok:
        return FileProgress(stored.id, stored.filename, "unreadable", f"Unreadable: {cert.error}", cert.id)
    if cert.needs_review:
        return FileProgress(stored.id, stored.filename, "needs_review", "Read; waiting for a person to check it",
                            cert.id)
    return FileProgress(stored.id, stored.filename, "read", READ_FROM.get(cert.method or "", "Read"), cert.id)
