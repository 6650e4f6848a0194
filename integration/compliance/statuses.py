"""Compliance statuses for an assignment, a coverage line and a vendor, and their precedence.

Only unmet results count (a result met by an override is met). For one assignment or line, the
first rule that matches wins:

1. awaiting_documents - nothing has been received (a ``certificate_missing`` result is unmet);
2. expired            - a required policy has expired (an unmet ``policy_expired`` result);
3. not_compliant      - any other unmet FAIL;
4. under_review       - an unmet NEEDS_REVIEW (unreadable or uncertain input) and no fails;
5. awaiting_documents - an unmet NEEDS_EVIDENCE (an endorsement copy is still owed);
6. waived             - everything is met, at least one requirement only by a waiver;
7. compliant          - everything is met (by evidence, or marked compliant by a person).

A vendor's status is the worst of its assignments' statuses in ``VENDOR_ORDER``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from integration.compliance.results import Outcome, RequirementResult


class Status(StrEnum):
    """A compliance status shown to the GC (and pushed to Procore)."""

    COMPLIANT = "compliant"
    NOT_COMPLIANT = "not_compliant"
    EXPIRED = "expired"
    UNDER_REVIEW = "under_review"
    AWAITING_DOCUMENTS = "awaiting_documents"
    WAIVED = "waived"

    @property
    def satisfied(self) -> bool:
        """True for the statuses that let work proceed (compliant, waived)."""
        return self in (Status.COMPLIANT, Status.WAIVED)


# Worst first: how a vendor's assignments combine.
VENDOR_ORDER = (
    Status.EXPIRED,
    Status.NOT_COMPLIANT,
    Status.UNDER_REVIEW,
    Status.AWAITING_DOCUMENTS,
    Status.WAIVED,
    Status.COMPLIANT,
)


def status_of(results: Iterable[RequirementResult]) -> Status:
    """The status of one assignment (or one coverage line) from its requirement results."""
    results = list(results)
    unmet = [result for result in results if not result.satisfied]
    codes = {result.gap.code for result in unmet if result.gap}
    outcomes = {result.outcome for result in unmet}
    if "certificate_missing" in codes:
        return Status.AWAITING_DOCUMENTS
    if "policy_expired" in codes:
        return Status.EXPIRED
    if Outcome.FAIL in outcomes:
        return Status.NOT_COMPLIANT
    if Outcome.NEEDS_REVIEW in outcomes:
        return Status.UNDER_REVIEW
    if Outcome.NEEDS_EVIDENCE in outcomes:
        return Status.AWAITING_DOCUMENTS
    if any(result.override and result.override.kind == "waive" for result in results):
        return Status.WAIVED
    return Status.COMPLIANT


def line_statuses(results: Iterable[RequirementResult]) -> dict[str, Status]:
    """The status of each coverage line that has requirements."""
    by_line: dict[str, list[RequirementResult]] = {}
    for result in results:
        if result.line:
            by_line.setdefault(result.line, []).append(result)
    return {line: status_of(line_results) for line, line_results in by_line.items()}


def vendor_status(statuses: Iterable[Status]) -> Status:
    """A vendor's status: the worst of its assignments' (awaiting_documents when it has none)."""
    return min(statuses, key=VENDOR_ORDER.index, default=Status.AWAITING_DOCUMENTS)
