"""Endorsement-backed requirements: page proves it, tick claims it, copies-required setting decides."""

from __future__ import annotations

from typing import Any

import pytest

from integration.compliance import Outcome
from tests.integration.compliance.compliance_factories import (
    add_page,
    certificate,
    drop_forms,
    policy,
    requirements,
    run,
)

GL, AUTO, UMB, WC = "general_liability", "automobile_liability", "umbrella_liability", "workers_compensation"
ACCEPT_TICKS = {"settings": {"endorsement_copies_required": False}}

# (key, line, claim field, claimed value, unclaimed value, forms that prove it)
ENDORSED = [
    (f"{GL}.additional_insured", GL, "additional_insured", True, False, ("CG 20 10",)),
    (f"{GL}.waiver_of_subrogation", GL, "subrogation_waived", True, False, ("CG 24 04",)),
    (f"{GL}.per_project_aggregate", GL, "aggregate_applies_per", "project", "policy", ("CG 25 03",)),
    (f"{AUTO}.additional_insured", AUTO, "additional_insured", True, False, ("CA 20 48",)),
    (f"{AUTO}.waiver_of_subrogation", AUTO, "subrogation_waived", True, False, ("CA 04 44",)),
    (f"{WC}.waiver_of_subrogation", WC, "subrogation_waived", True, False, ("WC 00 03 13",)),
]


def _claim(line: str, field: str, value: Any, *dropped: str) -> dict:
    cert = drop_forms(certificate(), *dropped)
    policy(cert, line)[field] = value
    return cert


@pytest.mark.parametrize(("key", "line", "field", "yes", "no", "forms"), ENDORSED)
def test_page_attached_with_the_box_agreeing_passes(
    key: str, line: str, field: str, yes: Any, no: Any, forms: tuple[str, ...]
) -> None:
    assert run(_claim(line, field, yes)).result(key).outcome is Outcome.PASS


@pytest.mark.parametrize(("key", "line", "field", "yes", "no", "forms"), ENDORSED)
def test_tick_without_page_needs_evidence_when_copies_required(
    key: str, line: str, field: str, yes: Any, no: Any, forms: tuple[str, ...]
) -> None:
    result = run(_claim(line, field, yes, *forms)).result(key)
    assert result.outcome is Outcome.NEEDS_EVIDENCE
    assert result.shortfall is not None and result.shortfall.code == "endorsement_copy_missing"


@pytest.mark.parametrize(("key", "line", "field", "yes", "no", "forms"), ENDORSED)
def test_tick_without_page_passes_when_ticks_accepted(
    key: str, line: str, field: str, yes: Any, no: Any, forms: tuple[str, ...]
) -> None:
    assert run(_claim(line, field, yes, *forms), requirements(**ACCEPT_TICKS)).result(key).outcome is Outcome.PASS


@pytest.mark.parametrize(("key", "line", "field", "yes", "no", "forms"), ENDORSED)
def test_neither_tick_nor_page_fails(
    key: str, line: str, field: str, yes: Any, no: Any, forms: tuple[str, ...]
) -> None:
    assert run(_claim(line, field, no, *forms), requirements(**ACCEPT_TICKS)).result(key).outcome is Outcome.FAIL


@pytest.mark.parametrize(("key", "line", "field", "yes", "no", "forms"), ENDORSED)
def test_unreadable_tick_without_page_needs_review(
    key: str, line: str, field: str, yes: Any, no: Any, forms: tuple[str, ...]
) -> None:
    assert run(_claim(line, field, None, *forms)).result(key).outcome is Outcome.NEEDS_REVIEW


def test_completed_ops_fails_when_only_ongoing_form_attached() -> None:
    result = run(drop_forms(certificate(), "CG 20 37")).result(f"{GL}.additional_insured_completed_ops")
    assert result.outcome is Outcome.FAIL
    assert result.shortfall is not None and result.shortfall.found == "CG 20 10 only"
    assert result.shortfall.location is not None and result.shortfall.location.page == 2


@pytest.mark.parametrize("form", ["CG 20 37", "CG 20 40", "CG 20 39"])
def test_completed_ops_forms(form: str) -> None:
    cert = drop_forms(certificate(), "CG 20 37", "CG 20 10")
    add_page(cert, form, "12 19", 10)
    assert run(cert).result(f"{GL}.additional_insured_completed_ops").outcome is Outcome.PASS


def test_cg_20_10_1185_edition_covers_completed_ops() -> None:
    cert = drop_forms(certificate(), "CG 20 37", "CG 20 10")
    add_page(cert, "CG2010", "11 85", 2)
    assert run(cert).result(f"{GL}.additional_insured_completed_ops").outcome is Outcome.PASS


def test_cg_20_38_counts_as_ongoing_only() -> None:
    cert = drop_forms(certificate(), "CG 20 37", "CG 20 10")
    add_page(cert, "CG 20 38", "04 13", 2)
    evaluation = run(cert)
    assert evaluation.result(f"{GL}.additional_insured").outcome is Outcome.PASS
    assert evaluation.result(f"{GL}.additional_insured_completed_ops").outcome is Outcome.FAIL


def test_primary_noncontributory_from_remarks_needs_the_page() -> None:
    cert = drop_forms(certificate(), "CG 20 01")
    assert run(cert).result(f"{GL}.primary_noncontributory").outcome is Outcome.NEEDS_EVIDENCE
    assert run(cert, requirements(**ACCEPT_TICKS)).result(f"{GL}.primary_noncontributory").outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("remark", "outcome"),
    [
        ("Primary & Non-Contributory applies", Outcome.PASS),
        ("primary and noncontributory", Outcome.PASS),
        ("Additional insured per contract", Outcome.FAIL),
        (None, Outcome.NEEDS_REVIEW),
    ],
)
def test_primary_noncontributory_remark_reading(remark: str | None, outcome: Outcome) -> None:
    cert = drop_forms(certificate(), "CG 20 01")
    cert["description_of_operations"] = remark
    assert run(cert, requirements(**ACCEPT_TICKS)).result(f"{GL}.primary_noncontributory").outcome is outcome


def test_umbrella_conditions_follow_form_and_need_no_page() -> None:
    evaluation = run(certificate())
    assert evaluation.result(f"{UMB}.additional_insured").outcome is Outcome.PASS
    cert = certificate()
    policy(cert, UMB)["additional_insured"] = False
    assert run(cert).result(f"{UMB}.additional_insured").outcome is Outcome.FAIL
