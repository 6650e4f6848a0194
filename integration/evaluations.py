"""Evaluating vendors and keeping the results: versioned evaluations, coverage gaps, statuses.

The engine (integration.compliance) decides; this module gathers its inputs from the database for many
vendors at once, and integration.evaluation_store records what it decided. One vendor is a batch of
one, so a vendor is judged the same way however its evaluation comes.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from integration.certificate import ExtractedCertificate
from integration.compliance.combine import combine
from integration.compliance.evaluate import evaluate
from integration.compliance.overrides import Override as EngineOverride
from integration.compliance.statuses import Status, vendor_status
from integration.evaluation_store import Decided, among, current_of, set_statuses, store
from integration.extensions import db
from integration.models import (
    Certificate,
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

BATCH = 1000  # vendors read, evaluated and written together


def evaluate_vendor(company_id: int, vendor_id: int, today: date, trigger: str = "submission",
                    requirements: RequirementCache | None = None) -> Vendor:
    """Re-evaluate a vendor for the company and each of its project assignments; update their statuses."""
    vendor = get_scoped(Vendor, vendor_id, company_id)
    if vendor is None:
        raise LookupError(f"vendor {vendor_id} is not one of company {company_id}'s vendors")
    evaluate_vendors(company_id, [vendor.id], today, trigger, requirements)
    mark_vendors(company_id, [vendor.id], trigger)  # new documents may change its Procore records, same verdict or not
    db.session.flush()
    return vendor


def evaluate_vendors(company_id: int, vendor_ids: list[int], today: date, trigger: str,
                     requirements: RequirementCache | None = None) -> list[Vendor]:
    """Evaluate the company's vendors among ``vendor_ids`` in a few reads and bulk writes (not committed).

    Returns the vendors with a new evaluation; those are marked for the Procore push.
    """
    requirements = requirements or RequirementCache(company_id)
    with collector_paused():
        inputs = load_inputs(company_id, vendor_ids)
        statuses = Statuses()
        decided = [each for vendor in inputs for each in _decide(vendor, requirements, today, statuses)]
        changed = store(decided, current_of(company_id, [each.vendor.id for each in inputs]), today, trigger)
        restated = statuses.write(company_id)
    mark_vendors(company_id, changed, trigger)  # their Procore records follow within seconds
    db.session.flush()
    from integration.vendor_summary import refresh  # (it imports the outreach rules, which import this module)

    refresh(company_id, changed | restated)  # new versions and statuses were written around the ORM
    return [each.vendor for each in inputs if each.vendor.id in changed]


def reevaluate_vendors(company_id: int, vendor_ids: Iterable[int], today: date | None = None,
                       trigger: str = "first_push") -> list[int]:
    """Evaluate the company's vendors among ``vendor_ids`` in batches of ``BATCH``, each committed.

    Each batch is read in a few queries and written in bulk (``evaluate_vendors``), with the company's
    requirement sets read once for the whole run. Returns the ids of the vendors that got a new
    evaluation (they are marked for the Procore push). Other packages call this by name.
    """
    day = today or date.today()
    requirements = RequirementCache(company_id)
    changed: list[int] = []
    for chunk in batches(sorted(set(vendor_ids))):
        changed += [vendor.id for vendor in evaluate_vendors(company_id, chunk, day, trigger, requirements)]
        db.session.commit()
    return changed


def evaluate_unevaluated(company_id: int, vendor_ids: list[int], today: date) -> int:
    """Evaluate the vendors among ``vendor_ids`` that were never evaluated (committed); returns how many."""
    evaluated = select(Evaluation.vendor_id).where(Evaluation.company_id == company_id,
                                                   Evaluation.assignment_id.is_(None), Evaluation.is_current.is_(True))
    missing = db.session.scalars(select(Vendor.id).where(
        Vendor.company_id == company_id, Vendor.id.in_(vendor_ids), Vendor.id.not_in(evaluated))).all()
    reevaluate_vendors(company_id, missing, today, "first_push")
    return len(missing)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch runs.

    Everything a batch builds stays alive until it ends, so collecting meanwhile only walks the same
    objects again and again (a third of a batch's time); the next collection after it frees its garbage.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def batches(ids: list[int], size: int | None = None) -> Iterator[list[int]]:
    """``ids`` in runs of at most ``size`` (``BATCH`` by default)."""
    size = size or BATCH
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


@dataclass
class Inputs:
    """What every evaluation of one vendor reads."""

    vendor: Vendor
    assignments: list[ProjectAssignment]
    certificates: list[ExtractedCertificate]
    overrides: list[Override]

    def engine_overrides(self) -> list[EngineOverride]:
        """The unrevoked overrides as the engine reads them (it drops those past their end date)."""
        return [EngineOverride(gap_key=o.gap_key, kind=o.kind, reason=o.reason,
                               vendor_id=str(o.vendor_id), expires_on=o.expires_on,
                               assignment_id=str(o.assignment_id) if o.assignment_id else None)
                for o in self.overrides]


@dataclass
class Statuses:
    """The vendor and assignment statuses a batch changes, written together once it is decided."""

    vendors: list[tuple[Vendor, str]] = field(default_factory=list)
    assignments: list[tuple[ProjectAssignment, str]] = field(default_factory=list)

    def set(self, row: Vendor | ProjectAssignment, status: str) -> None:
        """``row`` is to read ``status`` (nothing to write when it already does)."""
        if row.status != status:
            (self.vendors if isinstance(row, Vendor) else self.assignments).append((row, status))

    def write(self, company_id: int) -> set[int]:
        """Write them in a statement per table; returns the ids of the vendors whose statuses changed."""
        set_statuses(Vendor, company_id, self.vendors)
        set_statuses(ProjectAssignment, company_id, self.assignments)
        return {row.id for row, _ in self.vendors} | {row.vendor_id for row, _ in self.assignments}


def load_inputs(company_id: int, vendor_ids: Iterable[int]) -> list[Inputs]:
    """The vendors among ``vendor_ids`` with their assignments, certificates and overrides, in four queries."""
    vendors = db.session.scalars(scoped(Vendor, company_id).where(among(Vendor.id, vendor_ids))
                                 .order_by(Vendor.id)).all()
    ids = [vendor.id for vendor in vendors]
    assignments = _by_vendor(db.session.scalars(scoped(ProjectAssignment, company_id).where(
        among(ProjectAssignment.vendor_id, ids)).order_by(ProjectAssignment.id)))
    overrides = _by_vendor(db.session.scalars(scoped(Override, company_id).where(
        among(Override.vendor_id, ids), Override.revoked_at.is_(None)).order_by(Override.id)))
    certificates = vendor_certificates(company_id, ids)
    return [Inputs(vendor, assignments[vendor.id], certificates[vendor.id], overrides[vendor.id])
            for vendor in vendors]


def vendor_certificates(company_id: int, vendor_ids: list[int]) -> dict[int, list[ExtractedCertificate]]:
    """Per vendor, every readable certificate, plus the unreadable ones of its latest submission (not those a
    reviewer rejected: the vendor has been asked for a new one)."""
    latest = dict(db.session.execute(
        select(Submission.vendor_id, func.max(Submission.id)).group_by(Submission.vendor_id)
        .where(Submission.company_id == company_id, among(Submission.vendor_id, vendor_ids))).all())
    rows = db.session.execute(
        scoped(Certificate, company_id)
        .with_only_columns(Certificate.vendor_id, Certificate.ok, Certificate.content, StoredFile.submission_id,
                           Certificate.reviewed_at)
        .join(StoredFile, StoredFile.id == Certificate.stored_file_id)
        .where(among(Certificate.vendor_id, vendor_ids)).order_by(Certificate.id))
    found: dict[int, list[ExtractedCertificate]] = defaultdict(list)
    for vendor_id, ok, content, submission_id, reviewed_at in rows:
        if ok or (submission_id == latest.get(vendor_id) and reviewed_at is None):
            found[vendor_id].append(content)
    return found


def _by_vendor(rows) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    for row in rows:
        found[row.vendor_id].append(row)
    return found


def _decide(inputs: Inputs, requirements: RequirementCache, today: date, statuses: Statuses) -> list[Decided]:
    """Evaluate one vendor for the company and each assignment, and set the statuses that follow."""
    vendor, submission, overrides = inputs.vendor, combine(inputs.certificates, today), inputs.engine_overrides()
    decided = []
    for assignment in [None, *inputs.assignments]:
        project_id = assignment.project_id if assignment else None
        work = {"vendor_id": str(vendor.id), "assignment_id": str(assignment.id) if assignment else None,
                "project_id": str(project_id) if project_id else None,
                "project_name": requirements.project_name(project_id),
                "work_start": assignment.work_starts_on if assignment else None,
                "work_end": assignment.work_ends_on if assignment else None}
        tier = (assignment.trade_tier if assignment else None) or vendor.trade_tier
        outcome = evaluate(submission, requirements.effective(project_id, tier), work, today,
                           vendor={"legal_name": vendor.legal_name or vendor.name}, carriers=requirements.carriers(),
                           overrides=overrides, gc_legal_name=requirements.gc_legal_name())
        if assignment is not None:
            statuses.set(assignment, outcome.status.value)
        decided.append(Decided(vendor.company_id, vendor.id, assignment.id if assignment else None, outcome,
                               tuple(inputs.overrides)))
    statuses.set(vendor, vendor_status(Status(each.outcome.status) for each in decided).value)
    return decided


def current_evaluation(vendor: Vendor, assignment_id: int | None) -> Evaluation | None:
    """The current evaluation of a vendor (assignment None: its company-level one)."""
    return db.session.scalar(scoped(Evaluation, vendor.company_id).where(
        Evaluation.vendor_id == vendor.id, Evaluation.is_current.is_(True),
        Evaluation.assignment_id.is_(None) if assignment_id is None else Evaluation.assignment_id == assignment_id))
