"""Evaluating vendors and keeping the results: versioned evaluations, coverage gaps, statuses.

The engine (integration.compliance) decides; this module gathers its inputs from the database
and records what it decided. An evaluation that changes nothing only moves its date forward;
any change adds a new version and keeps the earlier ones as history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from integration.certificate import ExtractedCertificate
from integration.compliance.evaluate import evaluate
from integration.compliance.overrides import Override as EngineOverride
from integration.compliance.statuses import Status, vendor_status
from integration.extensions import db
from integration.models import (
    Certificate,
    CoverageGap,
    Evaluation,
    Override,
    ProjectAssignment,
    StoredFile,
    Submission,
    Vendor,
)
from integration.push_state import mark_vendors
from integration.requirement_sets import RequirementCache
from integration.tenancy import get_scoped, scoped


def evaluate_vendor(company_id: int, vendor_id: int, today: date, trigger: str = "submission",
                    requirements: RequirementCache | None = None) -> Vendor:
    """Re-evaluate a vendor for the company and each of its project assignments; update their statuses.

    A bulk run passes one ``requirements`` cache so sets and carriers are read once for all vendors.
    """
    vendor = get_scoped(Vendor, vendor_id, company_id)
    if vendor is None:
        raise LookupError(f"vendor {vendor_id} is not one of company {company_id}'s vendors")
    requirements = requirements or RequirementCache(company_id)
    inputs = Inputs(vendor_certificates(vendor), active_overrides(vendor), requirements)
    statuses = [_record(vendor, None, inputs, today, trigger)]
    assignments = db.session.scalars(scoped(ProjectAssignment, company_id)
                                     .where(ProjectAssignment.vendor_id == vendor.id))
    for assignment in assignments:
        assignment.status = _record(vendor, assignment, inputs, today, trigger)
        statuses.append(assignment.status)
    vendor.status = vendor_status(Status(s) for s in statuses).value
    mark_vendors(company_id, [vendor.id], trigger)  # its Procore records follow within seconds
    db.session.flush()
    return vendor


def evaluate_unevaluated(company_id: int, vendor_ids: list[int], today: date) -> int:
    """Evaluate the vendors among ``vendor_ids`` that were never evaluated (committed); returns how many."""
    evaluated = select(Evaluation.vendor_id).where(Evaluation.company_id == company_id,
                                                   Evaluation.assignment_id.is_(None), Evaluation.is_current.is_(True))
    missing = db.session.scalars(select(Vendor.id).where(
        Vendor.company_id == company_id, Vendor.id.in_(vendor_ids), Vendor.id.not_in(evaluated))).all()
    requirements = RequirementCache(company_id)
    for count, vendor_id in enumerate(missing, start=1):
        evaluate_vendor(company_id, vendor_id, today, trigger="first_push", requirements=requirements)
        if count % 200 == 0:
            db.session.commit()
    db.session.commit()
    return len(missing)


def vendor_certificates(vendor: Vendor) -> list[ExtractedCertificate]:
    """Every readable certificate of the vendor, plus the unreadable ones of its latest submission."""
    rows = db.session.execute(
        scoped(Certificate, vendor.company_id).add_columns(StoredFile.submission_id)
        .join(StoredFile, StoredFile.id == Certificate.stored_file_id)
        .where(Certificate.vendor_id == vendor.id).order_by(Certificate.id)
    ).all()
    latest = db.session.scalar(select(func.max(Submission.id)).where(Submission.company_id == vendor.company_id,
                                                                     Submission.vendor_id == vendor.id))
    return [cert.content for cert, submission_id in rows if cert.ok or submission_id == latest]


def active_overrides(vendor: Vendor) -> list[Override]:
    """The vendor's unrevoked overrides (the engine itself drops those past their end date)."""
    return list(db.session.scalars(scoped(Override, vendor.company_id).where(Override.vendor_id == vendor.id,
                                                                            Override.revoked_at.is_(None))))


@dataclass
class Inputs:
    """What every evaluation of one vendor reads, loaded once."""

    certificates: list[ExtractedCertificate]
    overrides: list[Override]
    requirements: RequirementCache

    def engine_overrides(self) -> list[EngineOverride]:
        """The overrides as the engine reads them."""
        return [EngineOverride(gap_key=o.gap_key, kind=o.kind, reason=o.reason,
                               vendor_id=str(o.vendor_id), expires_on=o.expires_on,
                               assignment_id=str(o.assignment_id) if o.assignment_id else None)
                for o in self.overrides]


def _record(vendor: Vendor, assignment: ProjectAssignment | None, inputs: Inputs, today: date, trigger: str) -> str:
    requirements = inputs.requirements.effective(assignment.project_id if assignment else None,
                                                 (assignment.trade_tier if assignment else None) or vendor.trade_tier)
    work = {"vendor_id": str(vendor.id), "assignment_id": str(assignment.id) if assignment else None,
            "project_id": str(assignment.project_id) if assignment else None,
            "project_name": inputs.requirements.project_name(assignment.project_id) if assignment else None,
            "work_start": assignment.work_starts_on if assignment else None,
            "work_end": assignment.work_ends_on if assignment else None}
    outcome = evaluate(inputs.certificates, requirements, work, today,
                       vendor={"legal_name": vendor.legal_name or vendor.name}, carriers=inputs.requirements.carriers(),
                       overrides=inputs.engine_overrides(), gc_legal_name=inputs.requirements.gc_legal_name())
    _store(vendor, assignment, outcome, today, trigger, inputs.overrides)
    return outcome.status.value


def current_evaluation(vendor: Vendor, assignment_id: int | None) -> Evaluation | None:
    """The current evaluation of a vendor (assignment None: its company-level one)."""
    return db.session.scalar(scoped(Evaluation, vendor.company_id).where(
        Evaluation.vendor_id == vendor.id, Evaluation.is_current.is_(True),
        Evaluation.assignment_id.is_(None) if assignment_id is None else Evaluation.assignment_id == assignment_id))


def _store(vendor: Vendor, assignment: ProjectAssignment | None, outcome, today: date, trigger: str,
           overrides: list[Override]) -> Evaluation:
    data = outcome.to_dict()
    results = data["results"]
    current = current_evaluation(vendor, assignment.id if assignment else None)
    if current is not None and current.results == results and current.status == data["status"]:
        current.evaluated_for = today  # nothing changed: no new version
        return current
    if current is not None:
        current.is_current = False
    row = Evaluation(company_id=vendor.company_id, vendor_id=vendor.id,
                     assignment_id=assignment.id if assignment else None,
                     version=(current.version + 1) if current else 1, is_current=True, evaluated_for=today,
                     status=data["status"], line_statuses=data["line_statuses"], results=results, trigger=trigger)
    db.session.add(row)
    db.session.flush()
    db.session.add_all(_gap_rows(row, outcome.gaps, {(o.gap_key, o.assignment_id): o for o in overrides}))
    return row


GAP_STATES = {None: "open", "waive": "waived", "mark_compliant": "marked_compliant"}


def _gap_rows(evaluation: Evaluation, gaps, overrides: dict) -> list[CoverageGap]:
    rows = []
    for gap in gaps:
        kind = gap.override.kind if gap.override else None
        override = overrides.get((gap.key, evaluation.assignment_id)) or overrides.get((gap.key, None))
        rows.append(CoverageGap(
            company_id=evaluation.company_id, evaluation_id=evaluation.id, gap_key=gap.key, code=gap.code,
            line=gap.line, outcome=gap.outcome.value, expected=_text(gap.expected), found=_text(gap.found),
            source=gap.location.to_dict() if gap.location else {},
            explanation=gap.explanation, ask=gap.ask, requirement_keys=list(gap.requirement_keys),
            state=GAP_STATES[kind], override_id=override.id if (override and kind) else None))
    return rows


def _text(value: Any) -> str | None:
    """A value as stored for people (the engine already words expected and found)."""
    return None if value is None else str(value)
