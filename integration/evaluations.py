"""Evaluating vendors and keeping the results: versioned evaluations, coverage gaps, statuses.

The engine (integration.compliance) decides; this module gathers its inputs from the database for many
vendors at once, and integration.evaluation_store records what it decided. One vendor is a batch of
one, so a vendor is judged the same way however its evaluation comes.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from integration.certificate import ExtractedCertificate
from integration.compliance.combine import combine
from integration.compliance.evaluate import evaluate
from integration.compliance.overrides import Override as EngineOverride
from integration.compliance.statuses import Status, vendor_status
from integration.evaluation_store import Applied, Current, Decided, Key, Writes, among, current_of, plan, set_statuses
from integration.extensions import db
from integration.models import (
    Certificate,
    Evaluation,
    Override,
    ProjectAssignment,
    StoredFile,
    Submission,
    Vendor,
    utcnow,
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
    batch = _read(company_id, vendor_ids, requirements)
    _decide_batch(batch, requirements, today, trigger)
    batch.write()
    return batch.changed_vendors()


def evaluate_each(company_id: int, vendor_ids: Iterable[int], today: date, trigger: str,
                  requirements: RequirementCache | None = None) -> None:
    """What ``evaluate_vendor`` does for each of the company's vendors among ``vendor_ids``, in batches (not
    committed): each is evaluated and marked for the push, a new evaluation or not."""
    requirements = requirements or RequirementCache(company_id)
    for chunk in batches(sorted(set(vendor_ids))):
        batch = _read(company_id, chunk, requirements)
        _decide_batch(batch, requirements, today, trigger)
        batch.write()
        mark_vendors(company_id, [each.vendor_id for each in batch.inputs], trigger)  # (as evaluate_vendor does)
    db.session.flush()


def reevaluate_vendors(company_id: int, vendor_ids: Iterable[int], today: date | None = None,
                       trigger: str = "first_push") -> list[int]:
    """Evaluate the company's vendors among ``vendor_ids`` in batches of ``BATCH``, each committed.

    Each batch is read in a few queries and written in bulk (``evaluate_in_batches``), with the company's
    requirement sets read once for the whole run. Returns the ids of the vendors that got a new
    evaluation (they are marked for the Procore push). Other packages call this by name.
    """
    return evaluate_in_batches(company_id, sorted(set(vendor_ids)), today or date.today(), trigger)


def evaluate_in_batches(company_id: int, vendor_ids: list[int], today: date, trigger: str,
                        requirements: RequirementCache | None = None,
                        after_batch: Callable[[list[Vendor]], None] | None = None,
                        commit: Callable[[], object] | None = None) -> list[int]:
    """Evaluate the company's vendors among ``vendor_ids`` in batches of ``BATCH``, each committed by ``commit``
    (the session's commit by default) after ``after_batch`` is given its vendors with a new evaluation.

    Each batch is read, decided and written as ``evaluate_vendors`` does, but while a batch is decided (in a
    second thread: the engine is pure Python on rows already read) the one before it is written and the one after
    it read, so the database works while Python does. Only this thread uses the session, and its commits leave
    the rows read loaded (a batch read ahead is decided after the commit of the one before). The batches name
    distinct vendors, so what one reads no other writes.
    Returns the ids of the vendors with a new evaluation.
    """
    requirements = requirements or RequirementCache(company_id)
    commit = commit or db.session.commit
    changed: list[int] = []

    def finish(batch: Batch) -> None:
        changed.extend(each.vendor_id for each in batch.inputs if each.vendor_id in batch.writes.vendor_ids)
        if after_batch is not None:
            after_batch(batch.changed_vendors())
        commit()

    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False  # (the batches read ahead stay loaded)
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="evaluation") as engine:
            chunks = batches(vendor_ids)
            first = next(chunks, None)
            with collector_paused():
                current = _read(company_id, first, requirements) if first is not None else None
            previous: Batch | None = None
            while current is not None:
                with collector_paused():
                    deciding = engine.submit(_decide_batch, current, requirements, today, trigger)
                    upcoming = None
                    try:
                        if previous is not None:
                            previous.write()  # while this batch is decided
                        chunk = next(chunks, None)
                        upcoming = _read(company_id, chunk, requirements) if chunk is not None else None  # next one
                    finally:
                        failed = deciding.exception()  # (waits: a failure writing ends the run once it is decided)
                    if previous is not None:
                        finish(previous)  # a failure deciding keeps the batches before it, as one after another
                    if failed is not None:
                        raise failed
                previous, current = current, upcoming
            if previous is not None:
                previous.write()
                finish(previous)
    finally:
        session.expire_on_commit = expiring
    return changed


@dataclass
class Batch:
    """Some vendors of a company: what their evaluations read, then what deciding them writes."""

    company_id: int
    inputs: list[Inputs]
    current: dict[Key, Current]
    trigger: str = ""
    writes: Writes | None = None
    statuses: Statuses = field(default_factory=lambda: Statuses())

    def write(self) -> None:
        """Write the batch: evaluations, statuses, push marks and table rows (not committed)."""
        from integration.vendor_summary import refresh  # (it imports the outreach rules, which import this module)

        with collector_paused():
            self.writes.write()
            restated = self.statuses.write(self.company_id)
        changed = self.writes.vendor_ids
        mark_vendors(self.company_id, changed, self.trigger)  # their Procore records follow within seconds
        refresh(self.company_id, changed | restated)  # new versions and statuses were written around the ORM

    def changed_vendors(self) -> list[Vendor]:
        """The vendors with a new evaluation."""
        changed = self.writes.vendor_ids
        return [each.vendor for each in self.inputs if each.vendor_id in changed]


def _read(company_id: int, vendor_ids: list[int], requirements: RequirementCache) -> Batch:
    """Everything deciding the vendors reads, the requirement sets they need included."""
    with collector_paused():
        inputs = load_inputs(company_id, vendor_ids)
        current = current_of(company_id, [each.vendor_id for each in inputs])
        requirements.carriers(), requirements.gc_legal_name()
        for each in inputs:
            for assignment in [None, *each.assignments]:
                requirements.effective(assignment.project_id if assignment else None,
                                       (assignment.trade_tier if assignment else None) or each.vendor.trade_tier)
    return Batch(company_id, inputs, current)


def _decide_batch(batch: Batch, requirements: RequirementCache, today: date, trigger: str) -> None:
    """Decide the batch's evaluations and work out what they write (nothing read, nothing written)."""
    with collector_paused():
        decided = [each for vendor in batch.inputs for each in _decide(vendor, requirements, today, batch.statuses)]
        batch.trigger, batch.writes = trigger, plan(decided, batch.current, today, trigger)


def decided_statuses(company_id: int, vendor_ids: Iterable[int], today: date,
                     requirements: RequirementCache | None = None) -> dict[int, str]:
    """Each of the company's vendors among ``vendor_ids`` with the status the engine gives it on ``today``, decided
    as an evaluation decides it but with nothing written (a requirement change, previewed)."""
    requirements = requirements or RequirementCache(company_id)
    found: dict[int, str] = {}
    for chunk in batches(sorted(set(vendor_ids))):
        batch = _read(company_id, chunk, requirements)
        with collector_paused():
            for inputs in batch.inputs:
                decided = _decide(inputs, requirements, today, Statuses())
                found[inputs.vendor_id] = vendor_status(Status(each.outcome.status) for each in decided).value
    return found


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
    vendor_id: int = 0

    def __post_init__(self) -> None:
        self.vendor_id = self.vendor.id  # (read while the row is fresh: a commit expires it)

    def engine_overrides(self) -> list[EngineOverride]:
        """The unrevoked overrides as the engine reads them (it drops those past their end date)."""
        return [EngineOverride(gap_key=o.gap_key, kind=o.kind, reason=o.reason,
                               vendor_id=str(o.vendor_id), expires_on=o.expires_on,
                               assignment_id=str(o.assignment_id) if o.assignment_id else None)
                for o in self.overrides]


@dataclass
class Statuses:
    """The vendor and assignment statuses a batch changes, written together once it is decided.

    Deciding only collects them (it may run beside the thread that uses the session).
    """

    vendors: list[tuple[int, str]] = field(default_factory=list)
    assignments: list[tuple[int, str]] = field(default_factory=list)
    owners: set[int] = field(default_factory=set)  # the vendors whose statuses change
    rows: list[tuple[Vendor | ProjectAssignment, str]] = field(default_factory=list)
    stamp: datetime = field(default_factory=utcnow)

    def set(self, row: Vendor | ProjectAssignment, status: str) -> None:
        """``row`` is to read ``status`` (nothing to write when it already does)."""
        if row.status == status:
            return
        vendor = isinstance(row, Vendor)
        (self.vendors if vendor else self.assignments).append((row.id, status))
        self.owners.add(row.id if vendor else row.vendor_id)
        self.rows.append((row, status))

    def write(self, company_id: int) -> set[int]:
        """Write them in a statement per table; returns the ids of the vendors whose statuses changed.

        The ORM rows read their new values too, unmodified (no flush writes them again).
        """
        for row, status in self.rows:
            set_committed_value(row, "status", status)
            set_committed_value(row, "updated_at", self.stamp)
        set_statuses(Vendor, company_id, self.vendors, self.stamp)
        set_statuses(ProjectAssignment, company_id, self.assignments, self.stamp)
        return self.owners


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
    decided, applied = [], tuple(Applied.of(row) for row in inputs.overrides)
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
                               applied))
    statuses.set(vendor, vendor_status(Status(each.outcome.status) for each in decided).value)
    return decided


def current_evaluation(vendor: Vendor, assignment_id: int | None) -> Evaluation | None:
    """The current evaluation of a vendor (assignment None: its company-level one)."""
    return db.session.scalar(scoped(Evaluation, vendor.company_id).where(
        Evaluation.vendor_id == vendor.id, Evaluation.is_current.is_(True),
        Evaluation.assignment_id.is_(None) if assignment_id is None else Evaluation.assignment_id == assignment_id))
