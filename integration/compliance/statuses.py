"""Compliance statuses for an assignment, a coverage line and a vendor, and their precedence.

Only open gaps count (a gap covered by an override is met). For one assignment or line, the first
rule that matches wins:

1. nothing_received   - no document has been received (the ``certificate_missing`` gap is open);
2. expired            - a required policy has expired (a ``policy_expired`` gap is open);
3. not_compliant      - any other open gap that is a FAIL;
4. under_review       - an open NEEDS_REVIEW gap (unreadable or uncertain input) and no fails;
5. evidence_owed      - an open NEEDS_EVIDENCE gap (an endorsement page is still owed);
6. waived             - every gap is met, at least one only by a waiver;
7. compliant          - everything is met (by evidence, or marked compliant by a person).

A vendor's status is the worst of its assignments' statuses in ``VENDOR_ORDER``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from integration.compliance.results import Gap, Outcome, RequirementResult


class Status(StrEnum):
    """A compliance status shown to the GC (and pushed to Procore)."""

    COMPLIANT = "compliant"
    NOT_COMPLIANT = "not_compliant"
    EXPIRED = "expired"
    UNDER_REVIEW = "under_review"
    NOTHING_RECEIVED = "nothing_received"
    EVIDENCE_OWED = "evidence_owed"
    WAIVED = "waived"

    @property
    def satisfied(self) -> bool:
        """True for the statuses that let work proceed (compliant, waived)."""
        return self in (Status.COMPLIANT, Status.WAIVED)

    @property
    def label(self) -> str:
        """The status as people read it."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.COMPLIANT: "Compliant",
    Status.NOT_COMPLIANT: "Not compliant",
    Status.EXPIRED: "Expired",
    Status.UNDER_REVIEW: "Under review",
    Status.NOTHING_RECEIVED: "Nothing received",
    Status.EVIDENCE_OWED: "Endorsement owed",
    Status.WAIVED: "Waived",
}


# Worst first: how a vendor's assignments combine.
VENDOR_ORDER = (
    Status.EXPIRED,
    Status.NOT_COMPLIANT,
    Status.UNDER_REVIEW,
    Status.NOTHING_RECEIVED,
    Status.EVIDENCE_OWED,
    Status.WAIVED,
    Status.COMPLIANT,
)


def status_of(gaps: Iterable[Gap]) -> Status:
    """The status of one assignment (or one coverage line) from its gaps."""
    gaps = list(gaps)
    unmet = [gap for gap in gaps if gap.open]
    codes = {gap.code for gap in unmet}
    outcomes = {gap.outcome for gap in unmet}
    if "certificate_missing" in codes:
        return Status.NOTHING_RECEIVED
    if "policy_expired" in codes:
        return Status.EXPIRED
    if Outcome.FAIL in outcomes:
        return Status.NOT_COMPLIANT
    if Outcome.NEEDS_REVIEW in outcomes:
        return Status.UNDER_REVIEW
    if Outcome.NEEDS_EVIDENCE in outcomes:
        return Status.EVIDENCE_OWED
    if any(gap.override and gap.override.kind == "waive" for gap in gaps):
        return Status.WAIVED
    return Status.COMPLIANT


def line_statuses(results: Iterable[RequirementResult], gaps: Iterable[Gap]) -> dict[str, Status]:
    """The status of each coverage line that has requirements, from the gaps touching its requirements."""
    keys_by_line: dict[str, set[str]] = {}
    for result in results:
        if result.line:
            keys_by_line.setdefault(result.line, set()).add(result.key)
    gaps = list(gaps)
    return {line: status_of(gap for gap in gaps if keys.intersection(gap.requirement_keys))
            for line, keys in keys_by_line.items()}
def vendor_status(statuses: Iterable[Status]) -> Status:
    """A vendor's status: the worst of its assignments' (nothing_received when it has none)."""
    return min(statuses, key=VENDOR_ORDER.index, default=Status.NOTHING_RECEIVED)
