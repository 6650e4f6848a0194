"""What outreach tells a subcontractor about one request: whose it is, what it covers, where it stands, what to fix.

Emails, the upload page and the Record Hub all read these, so a gap or a status is worded once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import CompoundSelect, exists, func, select, union

from integration.compliance.gaps import gap_ask, gap_info
from integration.compliance.plain_words import RequiredLine, certificate_notes, required_lines
from integration.compliance.statuses import Status
from integration.evaluations import current_evaluation
from integration.extensions import db
from integration.models import (
    Certificate,
    CertificatePolicy,
    CoverageGap,
    OutreachRequest,
    Project,
    ProjectAssignment,
    Submission,
    Vendor,
)
from integration.outreach.links import guide_url
from integration.requirement_sets import effective_set
from integration.tenancy import get_scoped, installation_of, scoped

# What each status means to the subcontractor, in their words.
STATUS_WORDS = {
    Status.COMPLIANT: "Compliant: nothing more is needed",
    Status.WAIVED: "Compliant: nothing more is needed",
    Status.NOT_COMPLIANT: "Not compliant yet: see what to fix",
    Status.EXPIRED: "A policy has expired: send the renewal certificate",
    Status.UNDER_REVIEW: "Under review: we are checking your documents",
    Status.NOTHING_RECEIVED: "Waiting for your insurance documents",
    Status.EVIDENCE_OWED: "An endorsement page is still needed",
}


@dataclass(frozen=True)
class Brand:
    """The GC as its emails and pages show it: name and logo."""

    name: str
    logo_url: str | None


@dataclass(frozen=True)
class PeopleGap:
    """One gap as a subcontractor reads it, with its Insurance Guide page."""

    code: str
    title: str
    detail: str
    fix: str
    guide_url: str

    def to_dict(self) -> dict[str, str]:
        """Plain-data form (the upload page's progress answer)."""
        return {"code": self.code, "title": self.title, "detail": self.detail, "fix": self.fix,
                "guide_url": self.guide_url}


@dataclass(frozen=True)
class Scope:
    """What a request is about: the GC, the vendor, and the project (None: all the vendor's work)."""

    request: OutreachRequest
    brand: Brand
    vendor: Vendor
    project: Project | None
    assignment: ProjectAssignment | None

    @property
    def label(self) -> str:
        """The project as the subject line names it: "Name (Number)", or the GC for company-wide requests."""
        if self.project is None:
            return self.brand.name
        number = (self.project.project_number or "").strip()
        return f"{self.project.name} ({number})" if number else self.project.name


def scope_of(request: OutreachRequest) -> Scope:
    """The scope of a request, read within the request's company."""
    company_id = request.company_id
    vendor = get_scoped(Vendor, request.vendor_id, company_id)
    project = assignment = None
    if request.project_id is not None:
        project = get_scoped(Project, request.project_id, company_id)
        assignment = db.session.scalar(scoped(ProjectAssignment, company_id).where(
            ProjectAssignment.project_id == request.project_id, ProjectAssignment.vendor_id == request.vendor_id))
    return Scope(request, brand_of(request.company_id), vendor, project, assignment)


def brand_of(company_id: int) -> Brand:
    """The GC's name and logo."""
    installation = installation_of(company_id)
    return Brand(installation.company_name or "Your general contractor", installation.logo_url or None)


def status_of(scope: Scope) -> Status:
    """The request's status: its project assignment's, or the vendor's for a company-wide request."""
    return Status((scope.assignment or scope.vendor).status)


def status_words(scope: Scope) -> str:
    """The status as the subcontractor reads it."""
    return STATUS_WORDS[status_of(scope)]


def open_gaps(scope: Scope) -> list[PeopleGap]:
    """The open gaps of the request's current evaluation, worded for the subcontractor."""
    evaluation = current_evaluation(scope.vendor, scope.assignment.id if scope.assignment else None)
    if evaluation is None:
        return []
    rows = db.session.scalars(scoped(CoverageGap, evaluation.company_id).where(
        CoverageGap.evaluation_id == evaluation.id, CoverageGap.state == "open").order_by(CoverageGap.id))
    return [people_gap(gap) for gap in rows]


def people_gap(gap: CoverageGap) -> PeopleGap:
    """One stored gap in the subcontractor's words."""
    words = gap.to_gap()
    return PeopleGap(gap.code, words.title, words.explanation or gap_info(gap.code).explanation,
                     words.ask or gap_ask(gap.code, gap.line), guide_url(gap.code))


def requirements_of(scope: Scope) -> tuple[list[RequiredLine], list[str]]:
    """What the GC requires for the request's project, in plain words: the coverage lines and certificate notes."""
    tier = (scope.assignment.trade_tier if scope.assignment else None) or scope.vendor.trade_tier
    requirements = effective_set(scope.request.company_id, scope.project.id if scope.project else None, tier)
    return required_lines(requirements), certificate_notes(requirements)


READING = ("received", "reading")  # a submission's states while its documents are read


def reviewing(company_id: int, among_vendors: Callable[[Any], Any]) -> CompoundSelect:
    """The company's vendors (one ``vendor_id`` row each) whose documents are being read or wait for a person, among
    those ``among_vendors(vendor_id column)`` picks: outreach waits for them (no reminders, no button, no gaps)."""
    waiting = select(Certificate.vendor_id.label("vendor_id")).where(
        Certificate.company_id == company_id, Certificate.needs_review.is_(True), among_vendors(Certificate.vendor_id))
    reading = select(Submission.vendor_id.label("vendor_id")).where(
        Submission.company_id == company_id, Submission.state.in_(READING), among_vendors(Submission.vendor_id))
    return union(waiting, reading)


def under_review(vendor: Vendor) -> bool:
    """True while the vendor's documents are being read or wait for a person: reminders pause then."""
    return db.session.scalar(select(exists(reviewing(vendor.company_id, lambda column: column == vendor.id)))) \
        is True


def earliest_expiry(vendor: Vendor, today: date) -> date | None:
    """When the vendor's cover first runs out: for each line on file its latest expiry, and the soonest of those."""
    rows = db.session.execute(
        select(CertificatePolicy.line, func.max(CertificatePolicy.expiration_date))
        .join(Certificate, Certificate.id == CertificatePolicy.certificate_id)
        .where(Certificate.company_id == vendor.company_id, Certificate.vendor_id == vendor.id,
               Certificate.ok.is_(True), CertificatePolicy.expiration_date.is_not(None))
        .group_by(CertificatePolicy.line)).all()
    ends = [end for _, end in rows if end >= today]
    return min(ends) if ends else None
