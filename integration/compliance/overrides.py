"""Overrides: a person waives a gap, or marks it compliant, for one vendor.

An override names one gap by its stable key and only ever satisfies that gap (with every requirement
it stands for); it never changes another gap. It applies to the vendor it names, to one assignment
when it names one, and stops applying on its ``expires_on`` date: like a policy, it no longer
counts from that day on.
Who may create overrides is the app's rule (``integration.roles.can_manage``), and so is storing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from integration.compliance.combine import parse_date
from integration.compliance.results import AppliedOverride, Gap


class OverrideKind(StrEnum):
    """What the override says about the gap."""

    WAIVE = "waive"  # not needed for this vendor: counts as satisfied, status shows "waived"
    MARK_COMPLIANT = "mark_compliant"  # a person verified it another way: counts as compliant


class OverrideError(ValueError):
    """An override is malformed; the message names the field."""


@dataclass(frozen=True)
class Override:
    """A decision to treat one gap as satisfied for a vendor (optionally one assignment)."""

    gap_key: str
    kind: OverrideKind
    reason: str
    vendor_id: str | None = None
    assignment_id: str | None = None
    expires_on: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.gap_key, str) or not self.gap_key.strip():
            raise OverrideError("gap_key: must name a gap, e.g. 'general_liability.each_occurrence'")
        if self.kind not in tuple(OverrideKind):
            raise OverrideError(f"kind: must be 'waive' or 'mark_compliant', got {self.kind!r}")
        object.__setattr__(self, "kind", OverrideKind(self.kind))
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise OverrideError("reason: an override must say why it was granted")

    def applies(self, vendor_id: str | None, assignment_id: str | None, today: date) -> bool:
        """True for this vendor and assignment on ``today`` (it no longer applies from ``expires_on``)."""
        if self.vendor_id != vendor_id:
            return False
        if self.assignment_id is not None and self.assignment_id != assignment_id:
            return False
        return self.expires_on is None or today < self.expires_on

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Override:
        """An override from plain data (``expires_on`` as ISO date)."""
        expires = data.get("expires_on")
        if expires is not None and parse_date(expires) is None:
            raise OverrideError(f"expires_on: must be a YYYY-MM-DD date, got {expires!r}")
        return cls(
            gap_key=data.get("gap_key", ""),
            kind=data.get("kind", ""),
            reason=data.get("reason", ""),
            vendor_id=data.get("vendor_id"),
            assignment_id=data.get("assignment_id"),
            expires_on=parse_date(expires),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        expires = self.expires_on.isoformat() if self.expires_on else None
        return {
            "gap_key": self.gap_key,
            "kind": self.kind.value,
            "reason": self.reason,
            "vendor_id": self.vendor_id,
            "assignment_id": self.assignment_id,
            "expires_on": expires,
        }


def apply_overrides(
    gaps: Iterable[Gap],
    overrides: Iterable[Override | Mapping[str, Any]],
    vendor_id: str | None,
    assignment_id: str | None,
    today: date,
) -> list[Gap]:
    """``gaps`` with each one satisfied by an override that names it and applies."""
    active: dict[str, Override] = {}
    for override in (each if isinstance(each, Override) else Override.from_dict(each) for each in overrides):
        if override.applies(vendor_id, assignment_id, today):
            # Where two apply, a verified "mark_compliant" outranks a waiver.
            held = active.get(override.gap_key)
            if held is None or override.kind is OverrideKind.MARK_COMPLIANT:
                active[override.gap_key] = override
    return [_overridden(gap, active.get(gap.key)) for gap in gaps]


def _overridden(gap: Gap, override: Override | None) -> Gap:
    if override is None:
        return gap
    return replace(gap, override=AppliedOverride(override.kind.value, override.reason, override.expires_on))
