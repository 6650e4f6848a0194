"""Limits: exactly at the minimum passes, one dollar below fails; umbrella stacking on and off."""

from __future__ import annotations

import pytest

from integration.compliance import Outcome
from tests.integration.compliance.compliance_factories import certificate, policy, requirements, run, set_confidence

GL, AUTO, UMB, WC = "general_liability", "automobile_liability", "umbrella_liability", "workers_compensation"

# (line, limit key, minimum in the fixture requirement set, gap code)
LIMITS = [
    (GL, "each_occurrence", 1_000_000, "gl_each_occurrence_below"),
    (GL, "general_aggregate", 2_000_000, "gl_general_aggregate_below"),
    (GL, "products_completed_operations_aggregate", 2_000_000, "gl_products_completed_ops_below"),
    (AUTO, "combined_single_limit", 1_000_000, "auto_combined_single_limit_below"),
    (UMB, "each_occurrence", 5_000_000, "umbrella_each_occurrence_below"),
    (UMB, "aggregate", 5_000_000, "umbrella_aggregate_below"),
    (WC, "el_each_accident", 1_000_000, "el_each_accident_below"),
    (WC, "el_disease_each_employee", 1_000_000, "el_disease_each_employee_below"),
    (WC, "el_disease_policy_limit", 1_000_000, "el_disease_policy_limit_below"),
]


def _with_limit(line: str, limit: str, amount: int | None) -> dict:
    cert = certificate()
    policy(cert, line)["limits"][limit] = amount
    return cert


@pytest.mark.parametrize(("line", "limit", "minimum", "code"), LIMITS)
def test_exactly_the_minimum_passes(line: str, limit: str, minimum: int, code: str) -> None:
    assert run(_with_limit(line, limit, minimum)).result(f"{line}.{limit}").outcome is Outcome.PASS


@pytest.mark.parametrize(("line", "limit", "minimum", "code"), LIMITS)
def test_one_dollar_below_fails(line: str, limit: str, minimum: int, code: str) -> None:
    result = run(_with_limit(line, limit, minimum - 1)).result(f"{line}.{limit}")
    assert result.outcome is Outcome.FAIL
    assert result.shortfall is not None
    assert (result.shortfall.code, result.shortfall.expected, result.shortfall.found) == (
        code, f"at least ${minimum:,}", f"${minimum - 1:,}")


@pytest.mark.parametrize(("line", "limit", "minimum", "code"), LIMITS)
def test_far_above_the_minimum_passes(line: str, limit: str, minimum: int, code: str) -> None:
    assert run(_with_limit(line, limit, minimum * 10)).result(f"{line}.{limit}").outcome is Outcome.PASS


@pytest.mark.parametrize(("line", "limit", "minimum", "code"), LIMITS)
def test_blank_limit_needs_review(line: str, limit: str, minimum: int, code: str) -> None:
    result = run(_with_limit(line, limit, None)).result(f"{line}.{limit}")
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.shortfall is not None and result.shortfall.code == "value_unreadable"


def test_limit_not_required_is_not_checked() -> None:
    rs = requirements(lines={GL: {"limits": {"general_aggregate": None}}})
    assert f"{GL}.general_aggregate" not in rs.keys()
    cert = _with_limit(GL, "general_aggregate", 1)
    assert run(cert, rs).status == "compliant"


# --- umbrella stacking ----------------------------------------------------------------------------

STACKING_ON = {"settings": {"umbrella_stacking": True}}

# (line, limit, which umbrella limit stacks on it)
STACKABLE = [
    (GL, "each_occurrence", "each_occurrence"),
    (GL, "general_aggregate", "aggregate"),
    (GL, "products_completed_operations_aggregate", "aggregate"),
    (AUTO, "combined_single_limit", "each_occurrence"),
    (WC, "el_each_accident", "each_occurrence"),
    (WC, "el_disease_each_employee", "each_occurrence"),
    (WC, "el_disease_policy_limit", "aggregate"),
]


def _stacked(line: str, limit: str, base: int, umbrella_limit: str, umbrella: int) -> dict:
    cert = _with_limit(line, limit, base)
    policy(cert, UMB)["limits"][umbrella_limit] = umbrella
    return cert


@pytest.mark.parametrize(("line", "limit", "umbrella_limit"), STACKABLE)
def test_stacking_on_umbrella_makes_up_shortfall_exactly(line: str, limit: str, umbrella_limit: str) -> None:
    minimum = requirements().lines[line].limits[limit]
    cert = _stacked(line, limit, minimum - 600_000, umbrella_limit, 600_000)
    assert run(cert, requirements(**STACKING_ON)).result(f"{line}.{limit}").outcome is Outcome.PASS


@pytest.mark.parametrize(("line", "limit", "umbrella_limit"), STACKABLE)
def test_stacking_on_one_dollar_short_fails_with_total(line: str, limit: str, umbrella_limit: str) -> None:
    minimum = requirements().lines[line].limits[limit]
    cert = _stacked(line, limit, minimum - 600_000, umbrella_limit, 599_999)
    result = run(cert, requirements(**STACKING_ON)).result(f"{line}.{limit}")
    assert result.outcome is Outcome.FAIL and result.shortfall is not None
    assert result.shortfall.found == f"${minimum - 1:,} with the umbrella"


@pytest.mark.parametrize(("line", "limit", "umbrella_limit"), STACKABLE)
def test_stacking_off_umbrella_does_not_count(line: str, limit: str, umbrella_limit: str) -> None:
    minimum = requirements().lines[line].limits[limit]
    cert = _stacked(line, limit, minimum - 1, umbrella_limit, 10_000_000)
    assert run(cert).result(f"{line}.{limit}").outcome is Outcome.FAIL


def test_expired_umbrella_does_not_stack() -> None:
    cert = _with_limit(GL, "each_occurrence", 500_000)
    policy(cert, UMB)["expiration_date"] = "2026-03-15"
    assert run(cert, requirements(**STACKING_ON)).result(f"{GL}.each_occurrence").outcome is Outcome.FAIL


def test_low_confidence_umbrella_needed_for_stacking_needs_review() -> None:
    cert = set_confidence(_with_limit(GL, "each_occurrence", 500_000), "policies.2.limits.each_occurrence", 0.4)
    result = run(cert, requirements(**STACKING_ON)).result(f"{GL}.each_occurrence")
    assert result.outcome is Outcome.NEEDS_REVIEW


def test_umbrella_is_not_consulted_when_the_line_meets_the_minimum() -> None:
    cert = set_confidence(certificate(), "policies.2.limits.each_occurrence", 0.4)
    assert run(cert, requirements(**STACKING_ON)).result(f"{GL}.each_occurrence").outcome is Outcome.PASS


def test_excess_liability_stacks_like_an_umbrella() -> None:
    cert = _with_limit(GL, "each_occurrence", 500_000)
    policy(cert, UMB)["line"] = "excess_liability"
    assert run(cert, requirements(**STACKING_ON)).result(f"{GL}.each_occurrence").outcome is Outcome.PASS
