"""Requirement sets: what a GC asks of a subcontractor's insurance, as separately checkable items.

Every item has a stable key, ``<line>.<item>`` for a coverage line (``general_liability.each_occurrence``,
``workers_compensation.waiver_of_subrogation``) or ``certificate.holder``, ``certificate.named_insured``
and ``submission.readable`` for the documents as a whole. Overrides and stored results name these keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from integration.compliance.requirement_schema import (
    LIMIT_KEYS,
    LINE_FLAGS,
    LINES,
    SCHEMA_VERSION,
    RequirementSetError,
    validate,
)

__all__ = ["LIMIT_KEYS", "LINE_FLAGS", "LINES", "Requirement", "RequirementSet", "RequirementSetError", "Settings"]

# Date and insurer checks that apply to every required coverage line.
POLICY_CHECKS = ("not_expired", "work_window", "expiry_notice", "insurer_rating")


@dataclass(frozen=True)
class Settings:
    """Company-wide rules that shape how requirements are checked."""

    endorsement_copies_required: bool = True  # False: an ADDL INSD / SUBR WVD tick is accepted alone
    umbrella_stacking: bool = False  # True: umbrella/excess limits add to GL, auto and EL limits
    cover_work_window: bool = True
    min_days_before_expiry: int = 0
    min_insurer_rating: str | None = None  # e.g. "A-"; None: no rating requirement
    min_financial_size_class: str | None = None
    min_confidence: float = 0.8  # extracted values below this confidence need a person


@dataclass(frozen=True)
class LineRequirement:
    """One required coverage line: its minimum limits and the conditions it must meet."""

    limits: Mapping[str, int] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Requirement:
    """One checkable, separately waivable item of a requirement set."""

    key: str
    check: str
    line: str | None = None
    limit: str | None = None
    minimum: int | None = None


@dataclass(frozen=True)
class RequirementSet:
    """A named set of coverage requirements with its settings (schema version 1)."""

    name: str
    lines: Mapping[str, LineRequirement] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    certificate_holder: str | None = None  # None: the general contractor's legal name, as Procore has it
    named_insured_must_match: bool = True
    note: str = ""

    def requirements(self) -> tuple[Requirement, ...]:
        """Every checkable item, in a stable order (worked out once per set: a set never changes)."""
        return self._items

    @cached_property
    def _items(self) -> tuple[Requirement, ...]:
        items = [item for line in LINES if line in self.lines for item in self._line_items(line)]
        items.append(Requirement("certificate.holder", "holder"))  # the set's wording, else the GC's legal name
        if self.named_insured_must_match:
            items.append(Requirement("certificate.named_insured", "named_insured"))
        items.append(Requirement("submission.readable", "readable"))
        return tuple(items)

    def keys(self) -> list[str]:
        """The stable keys of every item."""
        return [item.key for item in self.requirements()]

    def _line_items(self, line: str) -> list[Requirement]:
        spec = self.lines[line]
        items = [Requirement(f"{line}.coverage", "coverage", line)]
        items += [
            Requirement(f"{line}.{limit}", "limit", line, limit, spec.limits[limit])
            for limit in LIMIT_KEYS[line]
            if limit in spec.limits
        ]
        items += [Requirement(f"{line}.{flag}", flag, line) for flag in LINE_FLAGS[line] if flag in spec.flags]
        return items + [Requirement(f"{line}.{check}", check, line) for check in POLICY_CHECKS if self._applies(check)]

    def _applies(self, check: str) -> bool:
        rules = self.settings
        return {
            "not_expired": True,
            "work_window": rules.cover_work_window,
            "expiry_notice": rules.min_days_before_expiry > 0,
            "insurer_rating": rules.min_insurer_rating is not None,
        }[check]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form (schema version 1)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "note": self.note,
            "settings": dict(vars(self.settings)),
            "lines": {line: _line_dict(line, spec) for line, spec in self.lines.items()},
            "certificate_holder": self.certificate_holder,
            "named_insured_must_match": self.named_insured_must_match,
        }

    def to_json(self) -> str:
        """The set as indented JSON."""
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Any) -> RequirementSet:
        """Build a set from JSON-shaped data; RequirementSetError names every invalid field."""
        clean = validate(data)
        lines = {
            line: LineRequirement(
                limits=dict(spec["limits"]),
                flags=frozenset(flag for flag in LINE_FLAGS[line] if spec[flag]),
            )
            for line, spec in clean["lines"].items()
        }
        return cls(
            name=clean["name"],
            lines=lines,
            settings=Settings(**clean["settings"]),
            certificate_holder=clean["certificate_holder"],
            named_insured_must_match=clean["named_insured_must_match"],
            note=clean["note"],
        )

    @classmethod
    def from_json(cls, text: str) -> RequirementSet:
        """Parse a JSON document into a set; RequirementSetError on bad JSON or invalid fields."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            message = f"(json): not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            raise RequirementSetError([message]) from None
        return cls.from_dict(data)


def _line_dict(line: str, spec: LineRequirement) -> dict[str, Any]:
    limits = {key: spec.limits[key] for key in LIMIT_KEYS[line] if key in spec.limits}
    return {"limits": limits, **{flag: flag in spec.flags for flag in LINE_FLAGS[line]}}
