"""The compliance engine's entry point: documents + requirement set -> one result per requirement.

Pure: no database, no clock (``today`` is an input), no network. Never passes on missing or
low-confidence data: such input yields NEEDS_REVIEW, and a pass that rests on a document the reader
flagged for review is downgraded to NEEDS_REVIEW too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from integration.certificate import ExtractedCertificate
from integration.compliance import checks_endorsements, checks_parties, checks_policy
from integration.compliance.carriers import CarrierTable
from integration.compliance.combine import combine
from integration.compliance.context import Assignment, Context, Finding, Vendor
from integration.compliance.gaps import gap_info, missing_code
from integration.compliance.overrides import Override, apply_overrides
from integration.compliance.requirements import Requirement, RequirementSet
from integration.compliance.results import Gap, Outcome, RequirementResult
from integration.compliance.statuses import Status, line_statuses, status_of

Check = Callable[[Requirement, Context], Finding]

CHECKS: dict[str, Check] = {
    "coverage": checks_policy.check_coverage,
    "limit": checks_policy.check_limit,
    "occurrence_basis": checks_policy.check_occurrence_basis,
    "statutory": checks_policy.check_statutory,
    "not_expired": checks_policy.check_not_expired,
    "work_window": checks_policy.check_work_window,
    "expiry_notice": checks_policy.check_expiry_notice,
    "insurer_rating": checks_policy.check_insurer_rating,
    "additional_insured": checks_endorsements.check_endorsement,
    "additional_insured_completed_ops": checks_endorsements.check_endorsement,
    "waiver_of_subrogation": checks_endorsements.check_endorsement,
    "primary_noncontributory": checks_endorsements.check_endorsement,
    "per_project_aggregate": checks_endorsements.check_endorsement,
    "holder": checks_parties.check_holder,
    "named_insured": checks_parties.check_named_insured,
    "readable": checks_parties.check_readable,
}


@dataclass(frozen=True)
class Evaluation:
    """The results for one assignment on one day, with the statuses they imply."""

    results: tuple[RequirementResult, ...]
    today: date
    assignment: Assignment = field(default_factory=Assignment)
    requirement_set: str = ""

    @property
    def status(self) -> Status:
        """The assignment's status (see ``statuses`` for the precedence)."""
        return status_of(self.results)

    @property
    def line_statuses(self) -> dict[str, Status]:
        """The status of each required coverage line."""
        return line_statuses(self.results)

    def gaps(self) -> list[Gap]:
        """The gaps still open (not passed and not overridden)."""
        return [result.gap for result in self.results if not result.satisfied and result.gap]

    def result(self, key: str) -> RequirementResult:
        """The result for requirement ``key`` (KeyError if the set has no such requirement)."""
        for result in self.results:
            if result.key == key:
                return result
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form, as printed by the CLI and stored by the app."""
        return {
            "status": self.status.value,
            "line_statuses": {line: status.value for line, status in self.line_statuses.items()},
            "today": self.today.isoformat(),
            "vendor_id": self.assignment.vendor_id,
            "assignment_id": self.assignment.assignment_id,
            "requirement_set": self.requirement_set,
            "gaps": [gap.to_dict() for gap in self.gaps()],
            "results": [result.to_dict() for result in self.results],
        }


def evaluate(
    certificates: Iterable[ExtractedCertificate],
    requirement_set: RequirementSet,
    assignment: Assignment | Mapping[str, Any] | None,
    today: date,
    vendor: Vendor | Mapping[str, Any] | str | None = None,
    carriers: CarrierTable | None = None,
    overrides: Iterable[Override | Mapping[str, Any]] = (),
) -> Evaluation:
    """Check one submission (its extracted certificates) against ``requirement_set`` on ``today``."""
    work = Assignment.coerce(assignment)
    ctx = Context(
        submission=combine(certificates, today),
        settings=requirement_set.settings,
        today=today,
        assignment=work,
        vendor=Vendor.coerce(vendor),
        carriers=carriers,
        certificate_holder=requirement_set.certificate_holder,
    )
    results = [_result(requirement, _finding(requirement, ctx)) for requirement in requirement_set.requirements()]
    results = apply_overrides(results, overrides, work.vendor_id, work.assignment_id, today)
    return Evaluation(tuple(results), today, work, requirement_set.name)


def _finding(requirement: Requirement, ctx: Context) -> Finding:
    if not ctx.submission.received:
        return Finding(Outcome.NEEDS_EVIDENCE, "certificate_missing", detail="No certificate has been received yet.")
    if requirement.line and ctx.policy(requirement.line) is None:
        return _line_missing(requirement.line, ctx)
    return _downgraded(CHECKS[requirement.check](requirement, ctx))


def _line_missing(line: str, ctx: Context) -> Finding:
    """A required line is absent: a fail, unless an unreadable document might hold it."""
    label = line.replace("_", " ")
    if ctx.submission.unreadable:
        return checks_parties.check_readable(Requirement("submission.readable", "readable"), ctx)
    return Finding(Outcome.FAIL, missing_code(line), label, None, None, f"No {label} policy was found.")


def _downgraded(finding: Finding) -> Finding:
    """A pass resting on a document flagged ``needs_review`` becomes NEEDS_REVIEW."""
    flagged = next((fact for fact in finding.facts if fact.doc_needs_review), None)
    if finding.outcome is not Outcome.PASS or flagged is None:
        return finding
    detail = "The document this rests on was flagged for review; a person must confirm it before it counts."
    return Finding(Outcome.NEEDS_REVIEW, "document_needs_review", None, flagged.value, flagged.location, detail)


def _result(requirement: Requirement, finding: Finding) -> RequirementResult:
    if finding.outcome is Outcome.PASS:
        return RequirementResult(requirement.key, requirement.line, Outcome.PASS)
    info = gap_info(finding.code or "value_unreadable")
    gap = Gap(
        code=info.code,
        requirement_key=requirement.key,
        outcome=finding.outcome,
        expected=finding.expected,
        found=finding.found,
        location=finding.location,
        explanation=finding.detail or info.explanation,
        ask=info.fix,
    )
    return RequirementResult(requirement.key, requirement.line, finding.outcome, gap)
