"""What an evaluation produces: per-requirement results (kept for history) and the gaps people act on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from integration.compliance import wording
from integration.compliance.gaps import gap_title


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
    """Where a value was read: the document, its page, the form's label for the box, and the value's path.

    ``field`` is the certificate path (``policies.0.limits.each_occurrence``), for code only; people read
    ``where``: "coi.pdf, page 1, EACH OCCURRENCE box on the general liability row".
    """

    file: str | None
    page: int | None = None
    field: str | None = None
    box: str | None = None

    @property
    def where(self) -> str:
        """Document, page and box, in words."""
        return wording.where(self.file, self.page, self.box)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {"file": self.file, "page": self.page, "field": self.field, "box": self.box}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Location | None:
        """A location from its plain-data form (None for an empty one)."""
        if not data or not any(data.get(key) for key in ("file", "page", "field")):
            return None
        return cls(data.get("file"), data.get("page"), data.get("field"), data.get("box"))


@dataclass(frozen=True)
class Shortfall:
    """What one requirement's check found wrong; people see the Gap it is part of."""

    code: str
    expected: Any
    found: Any
    location: Location | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {"code": self.code, "expected": plain(self.expected), "found": plain(self.found),
                "location": self.location.to_dict() if self.location else None, "detail": self.detail}


@dataclass(frozen=True)
class AppliedOverride:
    """An override that satisfied a gap in this evaluation."""

    kind: str  # "waive" | "mark_compliant"
    reason: str
    expires_on: date | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {"kind": self.kind, "reason": self.reason, "expires_on": plain(self.expires_on)}


@dataclass(frozen=True)
class RequirementResult:
    """The outcome of one requirement; unless it passed, ``gap_key`` names the gap it belongs to."""

    key: str
    line: str | None
    outcome: Outcome
    shortfall: Shortfall | None = None
    gap_key: str | None = None
    override: AppliedOverride | None = None

    @property
    def satisfied(self) -> bool:
        """True when the requirement passed or an override covers its gap."""
        return self.outcome is Outcome.PASS or self.override is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "key": self.key,
            "line": self.line,
            "outcome": self.outcome.value,
            "satisfied": self.satisfied,
            "gap_key": self.gap_key,
            "shortfall": self.shortfall.to_dict() if self.shortfall else None,
            "override": self.override.to_dict() if self.override else None,
        }


@dataclass(frozen=True)
class Gap:
    """One thing a person must fix (or accept): the unmet requirements it stands for, explained.

    ``key`` is stable from one evaluation to the next, so an override made on a gap keeps applying.
    """

    key: str
    code: str
    outcome: Outcome
    line: str | None
    expected: Any
    found: Any
    location: Location | None
    explanation: str
    ask: str
    requirement_keys: tuple[str, ...]
    override: AppliedOverride | None = None

    @property
    def open(self) -> bool:
        """True while no override covers the gap."""
        return self.override is None

    @property
    def title(self) -> str:
        """What is wrong, in a few words ("Auto liability: policy has expired")."""
        return gap_title(self.code, self.line)

    @property
    def where(self) -> str:
        """Where to look: document, page and the form's box ("" when the gap is about nothing received)."""
        return self.location.where if self.location else ""

    def plain_text(self) -> str:
        """The gap as one paragraph of plain text (for notes and e-mails): what, why, where, and what to ask."""
        parts = [wording.sentence(self.title), self.explanation, wording.sentence(self.ask)]
        if self.where:
            parts.insert(2, f"Where: {self.where}.")
        return " ".join(part for part in parts if part)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (with the words people read: title and where)."""
        return {
            "key": self.key,
            "code": self.code,
            "title": self.title,
            "where": self.where,
            "outcome": self.outcome.value,
            "line": self.line,
            "expected": plain(self.expected),
            "found": plain(self.found),
            "location": self.location.to_dict() if self.location else None,
            "explanation": self.explanation,
            "ask": self.ask,
            "requirement_keys": list(self.requirement_keys),
            "override": self.override.to_dict() if self.override else None,
        }


def plain(value: Any) -> Any:
    """Dates as ISO strings, also inside dicts and lists; everything else unchanged."""
    if isinstance(value, dict):
        return {key: plain(each) for key, each in value.items()}
    if isinstance(value, list | tuple):
        return [plain(each) for each in value]
    return value.isoformat() if isinstance(value, date) else value
