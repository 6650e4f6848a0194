"""What a single check sees (the Context) and what it reports back (a Finding)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from integration.compliance.carriers import CarrierTable
from integration.compliance.combine import Fact, PolicyEvidence, Submission, parse_date
from integration.compliance.requirements import Settings
from integration.compliance.results import Location, Outcome, worst_outcome


@dataclass(frozen=True)
class Assignment:
    """A vendor's assignment to a project: who, and when they work there."""

    vendor_id: str | None = None
    assignment_id: str | None = None
    project_id: str | None = None
    work_start: date | None = None
    work_end: date | None = None
    project_name: str | None = None

    @classmethod
    def coerce(cls, value: Assignment | Mapping[str, Any] | None) -> Assignment:
        """An Assignment from itself, a plain dict (ISO dates) or None."""
        if value is None or isinstance(value, Assignment):
            return value or cls()
        data = {key: value.get(key) for key in ("vendor_id", "assignment_id", "project_id", "project_name")}
        return cls(**data, work_start=parse_date(value.get("work_start")), work_end=parse_date(value.get("work_end")))


@dataclass(frozen=True)
class Vendor:
    """The subcontractor: its legal name and any names it does business as."""

    legal_name: str
    dbas: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        """The legal name then the DBAs."""
        return [self.legal_name, *self.dbas]

    @classmethod
    def coerce(cls, value: Vendor | Mapping[str, Any] | str | None) -> Vendor | None:
        """A Vendor from itself, a legal-name string, a dict (``legal_name``, ``dbas``) or None."""
        if value is None or isinstance(value, Vendor):
            return value
        if isinstance(value, str):
            return cls(value)
        if not isinstance(value.get("legal_name"), str):
            raise ValueError(f"vendor.legal_name: must be a string, got {value.get('legal_name')!r}")
        return cls(value["legal_name"], tuple(value.get("dbas") or ()))


@dataclass(frozen=True)
class Context:
    """Everything a check may consult."""

    submission: Submission
    settings: Settings
    today: date
    assignment: Assignment
    vendor: Vendor | None = None
    carriers: CarrierTable | None = None
    certificate_holder: str | None = None
    lines: frozenset[str] = frozenset()  # the coverage lines the requirement set asks for

    def policy(self, line: str) -> PolicyEvidence | None:
        """The chosen policy for a requirement line, if any document showed one."""
        return self.submission.policies.get(line)

    def chosen_policy(self, line: str | None) -> PolicyEvidence:
        """The chosen policy of a line the evaluator has already found present."""
        policy = self.policy(line or "")
        if policy is None:
            raise LookupError(f"no {line} policy: the evaluator checks that a line is present before its checks")
        return policy

    def reliable(self, *facts: Fact) -> bool:
        """True when every fact is present and confidently read."""
        return all(fact.reliable(self.settings.min_confidence) for fact in facts)


@dataclass(frozen=True)
class Finding:
    """What one check concluded, with the evidence it relied on."""

    outcome: Outcome
    code: str | None = None
    expected: Any = None
    found: Any = None
    location: Location | None = None
    detail: str = ""
    facts: tuple[Fact, ...] = ()


def passed(*facts: Fact) -> Finding:
    """A pass resting on ``facts``."""
    return Finding(Outcome.PASS, facts=facts)


def failed(code: str, expected: Any, found: Any, fact: Fact | None, detail: str) -> Finding:
    """A definite failure, located at ``fact``."""
    return Finding(Outcome.FAIL, code, expected, found, fact.location if fact else None, detail, _facts(fact))


def needs_review(code: str, expected: Any, fact: Fact | None, detail: str, found: Any = None) -> Finding:
    """A finding a person must confirm (missing, unreadable, uncertain or contradictory input)."""
    return Finding(Outcome.NEEDS_REVIEW, code, expected, found, fact.location if fact else None, detail, _facts(fact))


def needs_evidence(expected: Any, claim: Fact, detail: str) -> Finding:
    """A condition claimed on the certificate whose endorsement page is still owed."""
    found = "claimed on the certificate only"
    return Finding(
        Outcome.NEEDS_EVIDENCE, "endorsement_copy_missing", expected, found, claim.location, detail, (claim,)
    )


def unreadable(fact: Fact, expected: Any) -> Finding:
    """A needs-review finding for a value that is blank, or was not read with enough measured confidence."""
    what = fact.location.box or "value"
    if fact.value is None:
        state, found = "is blank", "blank"
    elif fact.confidence is None:
        state, found = "was read without a measured confidence", "not confirmed"
    else:
        state, found = f"could not be read with confidence ({fact.confidence:.0%} sure)", "unclear"
    return needs_review("value_unreadable", expected, fact, f"The {what} {state}, so a person must check it.", found)


def worst(findings: list[Finding]) -> Finding:
    """The most severe finding; all facts are kept when every finding passed."""
    outcome = worst_outcome([finding.outcome for finding in findings])
    if outcome is Outcome.PASS:
        return passed(*(fact for finding in findings for fact in finding.facts))
    return next(finding for finding in findings if finding.outcome is outcome)


def _facts(fact: Fact | None) -> tuple[Fact, ...]:
    return (fact,) if fact else ()
