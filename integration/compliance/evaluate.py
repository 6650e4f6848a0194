"""The compliance engine's entry point: documents + requirement set -> results per requirement, and gaps.

Pure: no database, no clock (``today`` is an input), no network. Never passes on missing or
low-confidence data: such input yields NEEDS_REVIEW, and a pass that rests on a document the reader
flagged for review is downgraded to NEEDS_REVIEW too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from integration.certificate import ExtractedCertificate
from integration.compliance import checks_endorsements, checks_parties, checks_policy
from integration.compliance.carriers import CarrierTable
from integration.compliance.combine import Submission, combine
from integration.compliance.consolidate import consolidate
from integration.compliance.context import Assignment, Context, Finding, Vendor
from integration.compliance.gaps import missing_code
from integration.compliance.overrides import Override, apply_overrides
from integration.compliance.requirements import Requirement, RequirementSet
from integration.compliance.results import Gap, Outcome, RequirementResult, Shortfall
from integration.compliance.statuses import Status, line_statuses, status_of
from integration.compliance.wording import coverage, with_article

Check = Callable[[Requirement, Context], Finding]

# The checks that read the assignment (its work window, its project's name); see _findings.
ASSIGNMENT_CHECKS = frozenset({"work_window", "per_project_aggregate"})

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
    """The results for one assignment on one day, the gaps they make, and the statuses those imply."""

    results: tuple[RequirementResult, ...]
    gaps: tuple[Gap, ...]
    today: date
    assignment: Assignment = field(default_factory=Assignment)
    requirement_set: str = ""

    @cached_property  # (worked out once: what it is worked out from never changes)
    def status(self) -> Status:
        """The assignment's status (see ``statuses`` for the precedence)."""
        return status_of(self.gaps)

    @cached_property
    def line_statuses(self) -> dict[str, Status]:
        """The status of each required coverage line."""
        return line_statuses(self.results, self.gaps)

    def open_gaps(self) -> list[Gap]:
        """The gaps still open (not covered by an override)."""
        return [gap for gap in self.gaps if gap.open]

    def gap(self, key: str) -> Gap:
        """The gap with ``key`` (KeyError when there is none)."""
        for gap in self.gaps:
            if gap.key == key:
                return gap
        raise KeyError(key)

    def gap_of(self, requirement_key: str) -> Gap | None:
        """The gap a requirement belongs to (None when it passed)."""
        result = self.result(requirement_key)
        return self.gap(result.gap_key) if result.gap_key else None

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
            "gaps": [gap.to_dict() for gap in self.gaps],
            "results": [result.to_dict() for result in self.results],
        }


def evaluate(
    certificates: Iterable[ExtractedCertificate] | Submission,
    requirement_set: RequirementSet,
    assignment: Assignment | Mapping[str, Any] | None,
    today: date,
    vendor: Vendor | Mapping[str, Any] | str | None = None,
    carriers: CarrierTable | None = None,
    overrides: Iterable[Override | Mapping[str, Any]] = (),
    gc_legal_name: str | None = None,
) -> Evaluation:
    """Check one submission (its extracted certificates) against ``requirement_set`` on ``today``.

    The certificate holder must be the set's ``certificate_holder`` wording or, when it names none, the
    general contractor's legal name ``gc_legal_name``. Evaluating one vendor for several assignments, pass
    the documents once combined (``combine(certificates, today)``) rather than combining them each time.
    """
    work = Assignment.coerce(assignment)
    ctx = Context(
        submission=certificates if isinstance(certificates, Submission) else combine(certificates, today),
        settings=requirement_set.settings,
        today=today,
        assignment=work,
        vendor=Vendor.coerce(vendor),
        carriers=carriers,
        certificate_holder=requirement_set.certificate_holder or gc_legal_name,
        lines=frozenset(requirement_set.lines),
    )
    findings = _findings(requirement_set.requirements(), ctx)
    unmet = [(requirement, finding) for requirement, finding in findings if finding.outcome is not Outcome.PASS]
    memo = ctx.submission.memo
    consolidated = _reused(memo, "gaps", (unmet,), lambda: tuple(consolidate(unmet)))
    gaps = tuple(apply_overrides(consolidated, overrides, work.vendor_id, work.assignment_id, today))
    results = _reused(memo, "results", (findings, gaps), lambda: tuple(_results(findings, list(gaps))))
    return Evaluation(results, gaps, today, work, requirement_set.name)


REUSED = 4  # earlier inputs kept per step: a vendor is evaluated for the company and a few assignments


def _reused(memo: dict[str, Any], step: str, inputs: tuple[list, ...], make: Callable[[], tuple]) -> tuple:
    """``make()``, or what it made in an earlier evaluation of the same documents from equal ``inputs``.

    The company-level evaluation and an assignment's usually differ in nothing the gaps and results
    depend on; they then share the very same gaps and results (an override that applies to one only
    makes its gaps differ, and with them the results). Each input is a list of (requirement, finding)
    pairs or of gaps, compared item by item: the requirement by key and line (all the steps read of it),
    the rest by identity or else equality.
    """
    kept = memo.setdefault(step, [])
    for earlier, made in kept:
        if all(_same_items(old, new) for old, new in zip(earlier, inputs, strict=True)):
            return made
    made = make()
    kept.insert(0, (inputs, made))
    del kept[REUSED:]
    return made


def _same_items(old: list | tuple, new: list | tuple) -> bool:
    if len(old) != len(new):
        return False
    for before, now in zip(old, new, strict=True):
        if isinstance(before, tuple):
            (was, found_then), (requirement, found) = before, now
            if was.key != requirement.key or was.line != requirement.line or not (
                    found_then is found or found_then == found):
                return False
        elif not (before is now or before == now):
            return False
    return True


def _findings(requirements: tuple[Requirement, ...], ctx: Context) -> list[tuple[Requirement, Finding]]:
    """The finding on each requirement, made once per documents, day, rules, vendor, holder and required lines.

    One vendor is evaluated for the company and for each of its assignments on the same documents; only the
    ``ASSIGNMENT_CHECKS`` look at the assignment (its work dates and project name), so every other finding
    is the same in each evaluation, and theirs are the same for assignments with the same dates and project.
    """
    memo = ctx.submission.memo
    if memo.get("carriers", memo) is not ctx.carriers:  # a carrier table is not hashable: findings follow one
        memo["carriers"], memo["findings"] = ctx.carriers, {}
    known = memo["findings"].setdefault((ctx.today, ctx.settings, ctx.vendor, ctx.certificate_holder, ctx.lines),
                                        {})
    work = ctx.assignment
    where = (work.work_start, work.work_end, work.project_name)
    findings = []
    for requirement in requirements:
        key = (requirement, where) if requirement.check in ASSIGNMENT_CHECKS else requirement
        found = known.get(key)
        if found is None:
            found = known[key] = _finding(requirement, ctx)
        findings.append((requirement, found))
    return findings


def _finding(requirement: Requirement, ctx: Context) -> Finding:
    if not ctx.submission.received:
        return Finding(Outcome.NEEDS_EVIDENCE, "certificate_missing", "a certificate of insurance", "nothing yet",
                       detail="No certificate of insurance has been received yet.")
    if requirement.line and ctx.policy(requirement.line) is None:
        return _line_missing(requirement.line, ctx)
    return _downgraded(CHECKS[requirement.check](requirement, ctx))


def _line_missing(line: str, ctx: Context) -> Finding:
    """A required line is absent: a fail, unless an unreadable document might hold it."""
    label, expected = coverage(line), with_article(f"{coverage(line)} policy")
    if not ctx.submission.readable:  # nothing could be read: the unreadable documents are the gap
        return checks_parties.check_readable(Requirement("submission.readable", "readable"), ctx)
    if ctx.submission.unreadable:
        names = " and ".join(each.file or "a document" for each in ctx.submission.unreadable)
        detail = (f"No {label} policy was found in the documents that could be read; {names} could not be read "
                  "and may show it.")
        return Finding(Outcome.NEEDS_REVIEW, missing_code(line), expected, "not found", None, detail)
    detail = f"No {label} policy was found in the documents you sent."
    return Finding(Outcome.FAIL, missing_code(line), expected, "none", None, detail)


def _downgraded(finding: Finding) -> Finding:
    """A pass resting on a document flagged ``needs_review`` becomes NEEDS_REVIEW."""
    flagged = next((fact for fact in finding.facts if fact.doc_needs_review), None)
    if finding.outcome is not Outcome.PASS or flagged is None:
        return finding
    detail = "The document this rests on was marked as hard to read; a person must check it before it counts."
    return Finding(Outcome.NEEDS_REVIEW, "document_needs_review", "checked by a person", "not checked yet",
                   flagged.location, detail, (flagged,))


def _results(findings: list[tuple[Requirement, Finding]], gaps: list[Gap]) -> list[RequirementResult]:
    """One result per requirement, linked to the gap that stands for it.

    A requirement is met by overrides only when every gap it is part of is covered (several unreadable
    documents are each a gap of their own, and each stands for the requirements none of them let us check).
    """
    gaps_of: dict[str, list[Gap]] = {}
    for gap in gaps:
        for key in gap.requirement_keys:
            gaps_of.setdefault(key, []).append(gap)
    results = []
    for requirement, finding in findings:
        mine = gaps_of.get(requirement.key)
        if finding.outcome is Outcome.PASS or not mine:
            results.append(RequirementResult(requirement.key, requirement.line, Outcome.PASS))
            continue
        shortfall = Shortfall(finding.code or "value_unreadable", finding.expected, finding.found,
                              finding.location, finding.detail)
        override = mine[0].override if all(not gap.open for gap in mine) else None
        results.append(RequirementResult(requirement.key, requirement.line, finding.outcome, shortfall, mine[0].key,
                                         override))
    return results
