"""Policy dates against today and the assignment's work window."""

from __future__ import annotations

import pytest

from integration.compliance import Outcome
from tests.integration.compliance.compliance_factories import ASSIGNMENT, certificate, policy, requirements, run

GL = "general_liability"
KEY = f"{GL}.work_window"


def _gl_dates(effective: str, expires: str) -> dict:
    cert = certificate()
    policy(cert, GL).update(effective_date=effective, expiration_date=expires)
    return cert


@pytest.mark.parametrize(
    ("effective", "expires", "work", "outcome", "field"),
    [
        ("2026-01-01", "2027-01-01", {"work_start": "2026-03-01", "work_end": "2026-11-30"}, Outcome.PASS, None),
        (
            "2026-01-01",
            "2026-11-30",
            {"work_start": "2026-03-01", "work_end": "2026-11-30"},
            Outcome.FAIL,
            "expiration",
        ),
        ("2026-01-01", "2026-12-01", {"work_start": "2026-03-01", "work_end": "2026-11-30"}, Outcome.PASS, None),
        ("2026-05-01", "2027-05-01", {"work_start": "2026-06-01", "work_end": "2026-11-30"}, Outcome.PASS, None),
        ("2026-06-02", "2027-06-02", {"work_start": "2026-06-01", "work_end": "2026-11-30"}, Outcome.FAIL, "effective"),
        ("2026-03-16", "2027-03-16", {"work_start": None, "work_end": None}, Outcome.FAIL, "effective"),
        ("2026-03-15", "2027-03-15", {"work_start": None, "work_end": None}, Outcome.PASS, None),
        ("2025-01-01", "2026-03-16", {"work_start": "2025-02-01", "work_end": "2025-12-31"}, Outcome.PASS, None),
    ],
)
def test_work_window(effective: str, expires: str, work: dict, outcome: Outcome, field: str | None) -> None:
    result = run(_gl_dates(effective, expires), assignment={**ASSIGNMENT, **work}).result(KEY)  # today 2026-03-15
    assert result.outcome is outcome
    if field:
        assert result.shortfall is not None and result.shortfall.code == "policy_not_in_force_for_work_window"
        assert result.shortfall.location is not None and result.shortfall.location.field == f"policies.0.{field}_date"


def test_work_window_check_can_be_turned_off() -> None:
    assert KEY not in requirements(settings={"cover_work_window": False}).keys()


def test_policy_expiring_today_is_expired() -> None:
    result = run(_gl_dates("2025-03-15", "2026-03-15")).result(f"{GL}.not_expired")
    assert result.outcome is Outcome.FAIL and result.shortfall is not None and result.shortfall.code == "policy_expired"


def test_policy_expiring_tomorrow_is_in_force() -> None:
    assert run(_gl_dates("2025-03-16", "2026-03-16")).result(f"{GL}.not_expired").outcome is Outcome.PASS
