"""The Procore insurance record: status mapping, payload spelling, the hash that decides what is sent."""

from __future__ import annotations

from datetime import date

import pytest

from integration.insurance_records import (
    NOTES_LIMIT,
    InsuranceRecord,
    is_ours,
    payload_from_procore,
    procore_status,
)


@pytest.mark.parametrize(("status", "reading", "expected"), [
    ("compliant", False, "compliant"),
    ("waived", False, "compliant"),
    ("not_compliant", False, "non_compliant"),
    ("expired", False, "expired"),
    ("under_review", False, "compliant_in_progress"),
    ("nothing_received", False, "non_compliant"),
    ("evidence_owed", False, "non_compliant_in_progress"),
    ("compliant", True, "compliant_in_progress"),
    ("expired", True, "non_compliant_in_progress"),
    ("nothing_received", True, "non_compliant_in_progress"),
])
def test_each_gapline_status_has_its_procore_status(status, reading, expected):
    from integration.compliance.statuses import Status

    assert {s.value for s in Status} == {"compliant", "waived", "not_compliant", "expired", "under_review",
                                         "nothing_received", "evidence_owed"}  # every status is mapped here
    assert procore_status(status, reading=reading) == expected


def record(**changes) -> InsuranceRecord:
    values = {"procore_vendor_id": 5_000_001, "line": "general_liability", "status": "compliant",
              "notes": "Gapline: Compliant.", "insurer": "Granite Mutual", "policy_number": "GL-1",
              "effective_date": date(2026, 1, 1), "expiration_date": date(2027, 1, 1), "limit": 1_000_000}
    return InsuranceRecord(**{**values, **changes})


def test_the_payload_uses_procores_field_names_and_keeps_procores_mails_off():
    payload = record().to_procore()
    assert payload == {
        "vendor_id": 5_000_001, "origin_id": "gapline:5000001:general_liability",
        "insurance_type": "General Liability", "status": "compliant", "exempt": False, "name": "Granite Mutual",
        "policy_number": "GL-1", "effective_date": "2026-01-01", "expiration_date": "2027-01-01",
        "limit": "1000000.00", "notes": "Gapline: Compliant.", "info_received": True,
        "enable_expired_insurance_notifications": False}
    assert is_ours(payload["origin_id"]) and not is_ours("ERP-77") and not is_ours(None)


def test_procores_answer_hashes_like_the_request_that_wrote_it_and_an_edit_does_not():
    written = record()
    answer = {**written.to_procore(), "id": 7, "insurance_provider": "Granite Mutual", "created_at": "x"}
    del answer["name"]
    from integration.insurance_records import payload_digest

    assert payload_digest(payload_from_procore(answer)) == written.digest()
    assert payload_digest(payload_from_procore({**answer, "status": "non_compliant"})) != written.digest()


def test_long_notes_are_clipped_and_the_record_round_trips():
    long = record(notes="x" * (NOTES_LIMIT + 50))
    assert len(long.to_procore()["notes"]) == NOTES_LIMIT
    assert InsuranceRecord.from_dict(long.to_dict()) == long
