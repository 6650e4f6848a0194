"""Requirement sets: keys, JSON import/export with field-naming errors, tiers and resolution."""

from __future__ import annotations

import json

import pytest

from integration.compliance import RequirementSet, RequirementSetError, company_default, merge, resolve, starting_point
from integration.compliance.tiers import STARTING_POINT_NOTE, TIERS, merge_patch
from tests.integration.compliance.compliance_factories import REQUIREMENTS_FILE, requirements

GL = "general_liability"


def test_json_round_trip() -> None:
    original = requirements()
    assert RequirementSet.from_json(original.to_json()) == original


def test_fixture_file_is_what_to_json_writes() -> None:
    assert json.loads(REQUIREMENTS_FILE.read_text()) == requirements().to_dict()


def test_schema_version_is_written() -> None:
    assert json.loads(requirements().to_json())["schema_version"] == 1


def test_keys_are_stable_and_unique() -> None:
    keys = requirements().keys()
    assert len(keys) == len(set(keys))
    assert keys[:4] == [
        f"{GL}.coverage",
        f"{GL}.each_occurrence",
        f"{GL}.general_aggregate",
        f"{GL}.products_completed_operations_aggregate",
    ]
    for key in (
        "general_liability.additional_insured_completed_ops",
        "automobile_liability.combined_single_limit",
        "umbrella_liability.aggregate",
        "workers_compensation.el_disease_policy_limit",
        "workers_compensation.statutory",
        "workers_compensation.waiver_of_subrogation",
        "general_liability.expiry_notice",
        "general_liability.work_window",
        "general_liability.not_expired",
        "certificate.holder",
        "certificate.named_insured",
        "submission.readable",
    ):
        assert key in keys


def test_minimal_set_uses_defaults() -> None:
    rs = RequirementSet.from_dict({"schema_version": 1, "name": "Bare"})
    assert rs.keys() == ["certificate.holder", "certificate.named_insured", "submission.readable"]
    assert rs.settings.endorsement_copies_required is True
    assert rs.settings.umbrella_stacking is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x"}, "schema_version: must be 1, got None"),
        ({"schema_version": 2, "name": "x"}, "schema_version: must be 1, got 2"),
        ({"schema_version": 1}, "name: must be a non-empty string"),
        ({"schema_version": 1, "name": "x", "colour": 1}, "colour: unknown field"),
        ({"schema_version": 1, "name": "x", "lines": []}, "lines: must be an object, got a list"),
        ({"schema_version": 1, "name": "x", "lines": {"pollution": {}}}, "lines.pollution: unknown field"),
        (
            {"schema_version": 1, "name": "x", "lines": {GL: {"limits": {"each_occurrence": -1}}}},
            "lines.general_liability.limits.each_occurrence: must be a whole number of US dollars",
        ),
        (
            {"schema_version": 1, "name": "x", "lines": {GL: {"limits": {"each_occurrence": 1.5}}}},
            "lines.general_liability.limits.each_occurrence",
        ),
        (
            {"schema_version": 1, "name": "x", "lines": {GL: {"limits": {"combined_single_limit": 1}}}},
            "lines.general_liability.limits.combined_single_limit: unknown field",
        ),
        (
            {"schema_version": 1, "name": "x", "lines": {GL: {"statutory": True}}},
            "lines.general_liability.statutory: unknown field",
        ),
        (
            {"schema_version": 1, "name": "x", "lines": {GL: {"additional_insured": "yes"}}},
            "lines.general_liability.additional_insured: must be true or false",
        ),
        (
            {"schema_version": 1, "name": "x", "settings": {"min_insurer_rating": "AAA"}},
            "settings.min_insurer_rating: unknown A.M. Best rating",
        ),
        ({"schema_version": 1, "name": "x", "settings": {"min_confidence": 2}}, "settings.min_confidence"),
        (
            {"schema_version": 1, "name": "x", "settings": {"min_days_before_expiry": True}},
            "settings.min_days_before_expiry",
        ),
        (
            {"schema_version": 1, "name": "x", "settings": {"min_financial_size_class": "XX"}},
            "settings.min_financial_size_class",
        ),
        ({"schema_version": 1, "name": "x", "certificate_holder": 5}, "certificate_holder: must be a non-empty string"),
        ([], "(top level): must be a JSON object, got a list"),
    ],
)
def test_invalid_sets_name_the_field(data: object, message: str) -> None:
    with pytest.raises(RequirementSetError) as caught:
        RequirementSet.from_dict(data)
    assert any(message in error for error in caught.value.errors), caught.value.errors


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(RequirementSetError) as caught:
        RequirementSet.from_dict({"schema_version": 1, "name": "", "settings": {"umbrella_stacking": 1}})
    assert len(caught.value.errors) == 2


def test_bad_json_is_reported_with_position() -> None:
    with pytest.raises(RequirementSetError, match=r"\(json\): not valid JSON: .* line 1 column"):
        RequirementSet.from_json("{not json")


def test_merge_patch_semantics() -> None:
    base = {"a": {"b": 1, "c": 2}, "d": 3}
    assert merge_patch(base, {"a": {"b": 9, "c": None}, "e": 4}) == {"a": {"b": 9}, "d": 3, "e": 4}
    assert base == {"a": {"b": 1, "c": 2}, "d": 3}  # unchanged


def test_resolution_order_company_then_tier_then_project() -> None:
    company = merge(company_default(), {"settings": {"umbrella_stacking": True}, "certificate_holder": "Summit"})
    project = {"lines": {GL: {"limits": {"each_occurrence": 3_000_000}}, "umbrella_liability": None}}
    rs = resolve(company, "high_risk", project)
    assert rs.lines[GL].limits == {
        "each_occurrence": 3_000_000,
        "general_aggregate": 4_000_000,
        "products_completed_operations_aggregate": 4_000_000,
    }
    assert "umbrella_liability" not in rs.lines
    assert rs.settings.umbrella_stacking is True and rs.certificate_holder == "Summit"


def test_invalid_project_override_names_the_field() -> None:
    with pytest.raises(RequirementSetError, match="lines.general_liability.limits.each_occurrence"):
        resolve(company_default(), "standard", {"lines": {GL: {"limits": {"each_occurrence": "lots"}}}})


def test_unknown_tier_is_refused() -> None:
    with pytest.raises(RequirementSetError, match="tier: unknown tier 'medium'"):
        resolve(company_default(), "medium")


@pytest.mark.parametrize(
    ("tier", "gl_each", "umbrella", "per_project"),
    [
        ("light", 1_000_000, 2_000_000, False),
        ("standard", 1_000_000, 5_000_000, True),
        ("high_risk", 2_000_000, 10_000_000, True),
    ],
)
def test_shipped_starting_points(tier: str, gl_each: int, umbrella: int, per_project: bool) -> None:
    rs = starting_point(tier)
    assert rs.note == STARTING_POINT_NOTE
    assert rs.lines[GL].limits["each_occurrence"] == gl_each
    assert rs.lines["umbrella_liability"].limits["each_occurrence"] == umbrella
    assert ("per_project_aggregate" in rs.lines[GL].flags) is per_project
    assert rs.settings.min_insurer_rating == "A-"
    assert set(TIERS) == {"light", "standard", "high_risk"}
