"""What an evaluation produces: outcomes, gaps, per-requirement results (all plain, serialisable data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """The result of checking one requirement against the submitted documents."""

    PASS = "pass"
    FAIL = "fail"
    NEEDS_EVIDENCE = "needs_evidence"  # claimed (checkbox, remarks) but the proof is not attached
    NEEDS_REVIEW = "needs_review"  # unreadable, missing or low-confidence input: a person must look


# Worst first; used when one requirement is checked against several documents.
OUTCOME_SEVERITY = (Outcome.FAIL, Outcome.NEEDS_REVIEW, Outcome.NEEDS_EVIDENCE, Outcome.PASS)


def worst_outcome(outcomes: list[Outcome]) -> Outcome:
    """The most severe of ``outcomes`` (PASS when there are none)."""
    return min(outcomes, key=OUTCOME_SEVERITY.index, default=Outcome.PASS)


@dataclass(frozen=True)
class Location:
    """Where a value was read: the document, its page and the contract's field path."""

    file: str | None
    page: int | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {"file": self.file, "page": self.page, "field": self.field}


@dataclass(frozen=True)
class Gap:
    """One unmet requirement, explained for the GC, the subcontractor and the broker."""

    code: str
    requirement_key: str
    outcome: Outcome
    expected: Any
    found: Any
    location: Location | None
    explanation: str
    ask: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "code": self.code,
            "requirement_key": self.requirement_key,
            "outcome": self.outcome.value,
            "expected": _plain(self.expected),
            "found": _plain(self.found),
            "location": self.location.to_dict() if self.location else None,
            "explanation": self.explanation,
            "ask": self.ask,
        }


@dataclass(frozen=True)
class AppliedOverride:
    """An override that satisfied a requirement in this evaluation."""

    kind: str  # "waive" | "mark_compliant"
    reason: str
    expires_on: date | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {"kind": self.kind, "reason": self.reason, "expires_on": _plain(self.expires_on)}


@dataclass(frozen=True)
class RequirementResult:
    """The outcome of one requirement; ``gap`` is set whenever the outcome is not PASS."""

    key: str
    line: str | None
    outcome: Outcome
    gap: Gap | None = None
    override: AppliedOverride | None = None

    @property
    def satisfied(self) -> bool:
        """True when the requirement passed or an override covers it."""
        return self.outcome is Outcome.PASS or self.override is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "key": self.key,
            "line": self.line,
            "outcome": self.outcome.value,
            "satisfied": self.satisfied,
            "gap": self.gap.to_dict() if self.gap else None,
            "override": self.override.to_dict() if self.override else None,
        }


def _plain(value: Any) -> Any:
    """Dates as ISO strings, also inside dicts and lists; everything else unchanged."""
    if isinstance(value, dict):
        return {key: _plain(each) for key, each in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(each) for each in value]
    return value.isoformat() if isinstance(value, date) else value
