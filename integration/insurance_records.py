"""What Gapline writes on a vendor's Insurance tab in Procore: one record per coverage line the requirements cover.

Procore knows ``compliant``, ``non_compliant``, ``expired`` and the ``*_in_progress`` statuses, not
Gapline's own. ``procore_status`` is the one place that maps them; ``InsuranceRecord.to_procore`` is
the one place that spells Procore's sync payload (``name`` in a request is ``insurance_provider`` in
an answer, so ``payload_from_procore`` turns an answer back into the request's shape for comparing).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

ORIGIN_PREFIX = "gapline:"
NOTES_LIMIT = 2000  # characters; Procore's notes are free text, but a wall of text helps no one

INSURANCE_TYPES = {
    "general_liability": "General Liability",
    "automobile_liability": "Automobile Liability",
    "umbrella_liability": "Umbrella / Excess Liability",
    "workers_compensation": "Workers Compensation",
}
IN_PROCORE = {
    "expired": "expired",
    "under_review": "compliant_in_progress",  # nothing failed; a person must confirm what was read
    "evidence_owed": "non_compliant_in_progress",  # an endorsement page is owed
}
PAYLOAD_KEYS = ("vendor_id", "origin_id", "insurance_type", "status", "exempt", "name", "policy_number",
                "effective_date", "expiration_date", "limit", "notes", "info_received",
                "enable_expired_insurance_notifications")


def origin_id(procore_vendor_id: int, line: str) -> str:
    """Gapline's stable id for a vendor's record of one line: the upsert key, unique within the company."""
    return f"{ORIGIN_PREFIX}{procore_vendor_id}:{line}"


def is_ours(origin: Any) -> bool:
    """True for an origin_id Gapline wrote (records of ERP integrations and people are never touched)."""
    return isinstance(origin, str) and origin.startswith(ORIGIN_PREFIX)


def insurance_type(line: str) -> str:
    """The Insurance Type Procore shows for a coverage line."""
    return INSURANCE_TYPES.get(line) or line.replace("_", " ").title()


def procore_status(status: str, *, reading: bool) -> str:
    """Procore's status for a line with Gapline ``status``.

    Waived counts as compliant (the note says who waived it). A line whose documents are being read,
    or whose reading waits for a person, is ``*_in_progress`` rather than a stale verdict; so is a
    line that only owes an endorsement page. A line with nothing received is ``non_compliant``.
    """
    satisfied = status in ("compliant", "waived")
    if reading:
        return "compliant_in_progress" if satisfied else "non_compliant_in_progress"
    if satisfied:
        return "compliant"
    return IN_PROCORE.get(status, "non_compliant")


# Procore's statuses in words for people (the vendor's history says what Gapline sent).
PROCORE_STATUS_WORDS = {
    "compliant": "shown as compliant",
    "non_compliant": "shown as not compliant",
    "expired": "shown as expired",
    "compliant_in_progress": "shown as compliant, still being checked",
    "non_compliant_in_progress": "shown as not compliant yet, still being checked",
}


def procore_status_words(status: str | None) -> str:
    """What a Procore status sent for a record tells people ("compliant_in_progress": compliant, being checked)."""
    if not status:
        return ""
    return PROCORE_STATUS_WORDS.get(status) or "shown as " + status.replace("_", " ")


def limit_text(amount: int | None) -> str | None:
    """A limit as Procore keeps it: a decimal string such as ``1000000.00``."""
    return None if amount is None else f"{amount:.2f}"


@dataclass(frozen=True)
class InsuranceRecord:
    """One Procore insurance record as Gapline means it to read."""

    procore_vendor_id: int
    line: str
    status: str  # Procore's status
    notes: str
    insurer: str | None = None
    policy_number: str | None = None
    effective_date: date | None = None
    expiration_date: date | None = None
    limit: int | None = None
    info_received: bool = True
    exempt: bool = False  # only a retired line: the requirements no longer ask for it

    @property
    def origin_id(self) -> str:
        """The record's upsert key."""
        return origin_id(self.procore_vendor_id, self.line)

    def to_procore(self) -> dict[str, Any]:
        """The item for Procore's insurance sync; Procore's own expiry mails stay off (Gapline sends its own)."""
        return {
            "vendor_id": self.procore_vendor_id, "origin_id": self.origin_id,
            "insurance_type": insurance_type(self.line), "status": self.status, "exempt": self.exempt,
            "name": self.insurer, "policy_number": self.policy_number,
            "effective_date": _iso(self.effective_date), "expiration_date": _iso(self.expiration_date),
            "limit": limit_text(self.limit), "notes": _clipped(self.notes), "info_received": self.info_received,
            "enable_expired_insurance_notifications": False,
        }

    def digest(self) -> str:
        """The hash of the payload: equal digests mean Procore already holds this record."""
        return payload_digest(self.to_procore())

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        data = asdict(self)
        data["effective_date"], data["expiration_date"] = _iso(self.effective_date), _iso(self.expiration_date)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InsuranceRecord:
        """A record from its plain-data form."""
        values = {f.name: data.get(f.name) for f in fields(cls) if f.name in data}
        for key in ("effective_date", "expiration_date"):
            values[key] = date.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


def payload_digest(payload: Mapping[str, Any]) -> str:
    """sha256 of a sync payload in one canonical spelling (keys sorted, only the keys Gapline writes)."""
    canonical = {key: payload.get(key) for key in PAYLOAD_KEYS}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def payload_from_procore(entity: Mapping[str, Any]) -> dict[str, Any]:
    """Procore's answer for a record, in the shape of the request that wrote it."""
    payload = {key: entity.get(key) for key in PAYLOAD_KEYS if key != "name"}
    payload["name"] = entity.get("insurance_provider", entity.get("name"))
    return payload


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _clipped(notes: str) -> str:
    return notes if len(notes) <= NOTES_LIMIT else notes[: NOTES_LIMIT - 1].rstrip() + "…"
