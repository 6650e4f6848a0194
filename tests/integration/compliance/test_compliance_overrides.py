"""Overrides: they satisfy only the requirement they name, for their vendor, until they expire."""

from __future__ import annotations

from datetime import date

import pytest

from integration.compliance import Outcome, Override, OverrideError, OverrideKind, Status
from tests.integration.compliance.compliance_factories import certificate, policy, run

GL, WC = "general_liability", "workers_compensation"
KEY = f"{GL}.each_occurrence"


def _short_gl() -> dict:
    cert = certificate()
    policy(cert, GL)["limits"]["each_occurrence"] = 500_000
    return cert


def _override(kind: str = "waive", **changes: object) -> Override:
    data = {"gap_key": KEY, "kind": kind, "reason": "approved by owner", "vendor_id": "v-acme", **changes}
    return Override.from_dict(data)


def test_waive_gives_waived_and_mark_compliant_gives_compliant() -> None:
    assert run(_short_gl(), overrides=[_override("waive")]).status is Status.WAIVED
    assert run(_short_gl(), overrides=[_override("mark_compliant")]).status is Status.COMPLIANT


def test_overridden_result_keeps_its_outcome_and_gap() -> None:
    result = run(_short_gl(), overrides=[_override()]).result(KEY)
    assert result.outcome is Outcome.FAIL and result.satisfied
    assert result.override is not None and result.override.kind == "waive"
    assert result.shortfall is not None and result.shortfall.code == "gl_each_occurrence_below"


def test_override_removes_only_its_gap() -> None:
    cert = _short_gl()
    policy(cert, WC)["statutory"] = False
    evaluation = run(cert, overrides=[_override()])
    assert {gap.code for gap in evaluation.open_gaps()} == {"workers_comp_not_statutory"}
    assert evaluation.status is Status.NOT_COMPLIANT


@pytest.mark.parametrize(
    ("expires_on", "applies"),
    [("2026-03-16", True), ("2026-03-15", False), ("2026-01-01", False), (None, True)],
)
def test_expired_override_is_ignored(expires_on: str | None, applies: bool) -> None:
    evaluation = run(_short_gl(), overrides=[_override(expires_on=expires_on)])  # today is 2026-03-15
    assert evaluation.result(KEY).satisfied is applies


@pytest.mark.parametrize(
    ("scope", "applies"),
    [
        ({"vendor_id": "v-acme", "assignment_id": None}, True),
        ({"vendor_id": "v-acme", "assignment_id": "a-1"}, True),
        ({"vendor_id": "v-acme", "assignment_id": "a-2"}, False),
        ({"vendor_id": "v-other", "assignment_id": None}, False),
    ],
)
def test_override_scope(scope: dict, applies: bool) -> None:
    assert run(_short_gl(), overrides=[_override(**scope)]).result(KEY).satisfied is applies


def test_override_on_a_passing_requirement_changes_nothing() -> None:
    result = run(certificate(), overrides=[_override()]).result(KEY)
    assert result.outcome is Outcome.PASS and result.override is None


def test_override_for_unknown_key_changes_nothing() -> None:
    evaluation = run(_short_gl(), overrides=[_override(gap_key="general_liability.nonsense")])
    assert evaluation.status is Status.NOT_COMPLIANT


def test_mark_compliant_outranks_waive_on_the_same_key() -> None:
    evaluation = run(_short_gl(), overrides=[_override("waive"), _override("mark_compliant")])
    assert evaluation.status is Status.COMPLIANT


def test_override_dataclass_round_trip() -> None:
    override = Override(KEY, OverrideKind.WAIVE, "ok", "v-acme", None, date(2026, 6, 1))
    assert Override.from_dict(override.to_dict()) == override


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"kind": "ignore"}, "kind"),
        ({"gap_key": ""}, "gap_key"),
        ({"expires_on": "next week"}, "expires_on"),
    ],
)
def test_malformed_override_is_refused_naming_the_field(changes: dict, field: str) -> None:
    with pytest.raises(OverrideError, match=field):
        _override(**changes)
