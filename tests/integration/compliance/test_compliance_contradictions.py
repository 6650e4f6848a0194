"""A certificate box and an attached endorsement that disagree are never a pass."""

from __future__ import annotations

from typing import Any

import pytest

from integration.compliance import Outcome, Status
from tests.integration.compliance.compliance_factories import ASSIGNMENT, certificate, drop_forms, policy, run

GL, AUTO, WC = "general_liability", "automobile_liability", "workers_compensation"
COI = "acme-drywall-coi.pdf"
CONTRADICTS = "certificate_contradicts_endorsement"


def _box(line: str, field: str, value: Any, *dropped: str) -> dict[str, Any]:
    cert = drop_forms(certificate(), *dropped)
    policy(cert, line)[field] = value
    return cert


# (requirement, line, box field, a value that disagrees with the attached page, the page left attached)
CASES = [
    (f"{GL}.additional_insured", GL, "additional_insured", False, "CG 20 10"),
    (f"{GL}.additional_insured_completed_ops", GL, "additional_insured", False, "CG 20 37"),
    (f"{GL}.waiver_of_subrogation", GL, "subrogation_waived", False, "CG 24 04"),
    (f"{GL}.per_project_aggregate", GL, "aggregate_applies_per", "policy", "CG 25 03"),
    (f"{GL}.per_project_aggregate", GL, "aggregate_applies_per", "location", "CG 25 03"),
    (f"{AUTO}.additional_insured", AUTO, "additional_insured", False, "CA 20 48"),
    (f"{AUTO}.waiver_of_subrogation", AUTO, "subrogation_waived", False, "CA 04 44"),
    (f"{WC}.waiver_of_subrogation", WC, "subrogation_waived", False, "WC 00 03 13"),
]


@pytest.mark.parametrize(("key", "line", "field", "value", "form"), CASES)
def test_a_page_beside_a_box_that_disagrees_is_a_review_not_a_pass(key, line, field, value, form) -> None:
    evaluation = run(_box(line, field, value))
    result = evaluation.result(key)
    assert result.outcome is Outcome.NEEDS_REVIEW and result.shortfall is not None
    assert result.shortfall.code == CONTRADICTS
    gap = evaluation.gap_of(key)
    assert gap is not None and gap.code == CONTRADICTS and form in gap.explanation
    assert "disagree" in gap.explanation
    assert evaluation.status is Status.UNDER_REVIEW


@pytest.mark.parametrize(("key", "line", "field", "value", "form"), CASES)
def test_the_same_box_with_no_page_is_a_plain_fail(key, line, field, value, form) -> None:
    result = run(_box(line, field, value, form, "CG 20 10")).result(key)
    assert result.outcome is Outcome.FAIL


def test_one_blank_box_against_two_pages_is_one_gap() -> None:
    evaluation = run(_box(GL, "additional_insured", False))  # CG 20 10 and CG 20 37 both attached
    contradictions = [gap for gap in evaluation.open_gaps() if gap.code == CONTRADICTS]
    assert len(contradictions) == 1
    gap = contradictions[0]
    assert {f"{GL}.additional_insured", f"{GL}.additional_insured_completed_ops"} <= set(gap.requirement_keys)
    assert "CG 20 10" in gap.explanation and "CG 20 37" in gap.explanation
    assert gap.explanation.count("disagree") == 1
    assert gap.where == f"{COI}, page 1, ADDL INSD box on the general liability row"


def _remarks(text: str | None) -> dict[str, Any]:
    cert = certificate()
    cert["description_of_operations"] = text
    return cert


# remarks on the certificate, the project the vendor works on -> per-project aggregate outcome
SCHEDULES = [
    ("The general aggregate applies per project on all projects.", None, Outcome.PASS),
    ("Per project aggregate applies to each construction project.", "Harbor Pier", Outcome.PASS),
    ("Per project aggregate (CG 25 03) for Riverside Clinic.", "Riverside Clinic", Outcome.PASS),
    ("Per project aggregate (CG 25 03) for Riverside Clinic.", "Harbor Pier", Outcome.NEEDS_REVIEW),
    ("Per project aggregate (CG 25 03) for Riverside Clinic.", None, Outcome.NEEDS_REVIEW),
    ("Additional insureds as required by written contract.", "Harbor Pier", Outcome.NEEDS_REVIEW),
    (None, "Harbor Pier", Outcome.NEEDS_REVIEW),
]


@pytest.mark.parametrize(("remarks", "project", "outcome"), SCHEDULES)
def test_a_per_project_aggregate_page_counts_only_for_the_projects_its_schedule_names(remarks, project,
                                                                                     outcome) -> None:
    evaluation = run(_remarks(remarks), assignment={**ASSIGNMENT, "project_name": project})
    result = evaluation.result(f"{GL}.per_project_aggregate")
    assert result.outcome is outcome
    if outcome is Outcome.NEEDS_REVIEW:
        assert result.shortfall is not None and result.shortfall.code == "per_project_aggregate_unconfirmed"
        assert (project or "every project") in result.shortfall.detail


def test_agreeing_box_and_page_pass() -> None:
    evaluation = run(certificate())
    assert all(result.outcome is Outcome.PASS for result in evaluation.results)
