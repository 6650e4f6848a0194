"""Every gap code in the catalogue is produced by a scenario, with its evidence and explanation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from integration.compliance import CATALOGUE, Outcome
from integration.compliance.gaps import gap_ask
from tests.integration.compliance.compliance_factories import TODAY, certificate, drop_forms, policy, remove_line, run

Cert = dict[str, Any]


def _set(line: str, **values: Any) -> Callable[[], list[Cert]]:
    def build() -> list[Cert]:
        cert = certificate()
        policy(cert, line).update(values)
        return [cert]

    return build


def _limit(line: str, limit: str, amount: int) -> Callable[[], list[Cert]]:
    def build() -> list[Cert]:
        cert = certificate()
        policy(cert, line)["limits"][limit] = amount
        return [cert]

    return build


def _without(line: str) -> Callable[[], list[Cert]]:
    return lambda: [remove_line(certificate(), line)]


def _claim_dropped(line: str, flag: str, value: Any, *forms: str) -> Callable[[], list[Cert]]:
    def build() -> list[Cert]:
        cert = drop_forms(certificate(), *forms)
        policy(cert, line)[flag] = value
        return [cert]

    return build


def _top(path: str, value: Any) -> Callable[[], list[Cert]]:
    def build() -> list[Cert]:
        cert = certificate()
        section, key = path.split(".")
        if key:
            cert[section][key] = value
        else:
            cert[section] = value
        return [cert]

    return build


def _no_pnc() -> list[Cert]:
    cert = drop_forms(certificate(), "CG 20 01")
    cert["description_of_operations"] = "Drywall at Riverside Clinic."
    return [cert]


def _insurer_b(naic: str) -> Callable[[], list[Cert]]:
    """Insurer B (the auto carrier) with another NAIC number: 45678 is rated B+, 56789 is not rated."""
    return lambda: [_with_insurer_b(naic)]


def _with_insurer_b(naic: str) -> Cert:
    cert = certificate()
    cert["insurers"][1]["naic"] = naic
    return cert


def _flagged() -> list[Cert]:
    cert = certificate()
    cert["needs_review"] = True
    return [cert]


def _with_unreadable() -> list[Cert]:
    return [certificate(), {"file": "photo.jpg", "ok": False, "error": "not a certificate of insurance"}]


GL, AUTO, UMB, WC = "general_liability", "automobile_liability", "umbrella_liability", "workers_compensation"

# code -> (documents, requirement key that carries it, expected outcome, today)
SCENARIOS: dict[str, tuple[Callable[[], list[Cert]], str, Outcome, date]] = {
    "general_liability_missing": (_without(GL), f"{GL}.coverage", Outcome.FAIL, TODAY),
    "auto_missing": (_without(AUTO), f"{AUTO}.coverage", Outcome.FAIL, TODAY),
    "umbrella_missing": (_without(UMB), f"{UMB}.coverage", Outcome.FAIL, TODAY),
    "workers_comp_missing": (_without(WC), f"{WC}.coverage", Outcome.FAIL, TODAY),
    "gl_each_occurrence_below": (_limit(GL, "each_occurrence", 999_999), f"{GL}.each_occurrence", Outcome.FAIL, TODAY),
    "gl_general_aggregate_below": (_limit(GL, "general_aggregate", 1), f"{GL}.general_aggregate", Outcome.FAIL, TODAY),
    "gl_products_completed_ops_below": (
        _limit(GL, "products_completed_operations_aggregate", 1_999_999),
        f"{GL}.products_completed_operations_aggregate",
        Outcome.FAIL,
        TODAY,
    ),
    "auto_combined_single_limit_below": (
        _limit(AUTO, "combined_single_limit", 500_000),
        f"{AUTO}.combined_single_limit",
        Outcome.FAIL,
        TODAY,
    ),
    "umbrella_each_occurrence_below": (
        _limit(UMB, "each_occurrence", 4_999_999),
        f"{UMB}.each_occurrence",
        Outcome.FAIL,
        TODAY,
    ),
    "umbrella_aggregate_below": (_limit(UMB, "aggregate", 0), f"{UMB}.aggregate", Outcome.FAIL, TODAY),
    "el_each_accident_below": (_limit(WC, "el_each_accident", 500_000), f"{WC}.el_each_accident", Outcome.FAIL, TODAY),
    "el_disease_each_employee_below": (
        _limit(WC, "el_disease_each_employee", 500_000),
        f"{WC}.el_disease_each_employee",
        Outcome.FAIL,
        TODAY,
    ),
    "el_disease_policy_limit_below": (
        _limit(WC, "el_disease_policy_limit", 500_000),
        f"{WC}.el_disease_policy_limit",
        Outcome.FAIL,
        TODAY,
    ),
    "workers_comp_not_statutory": (_set(WC, statutory=False), f"{WC}.statutory", Outcome.FAIL, TODAY),
    "claims_made_not_accepted": (_set(GL, occurrence=False), f"{GL}.occurrence_basis", Outcome.FAIL, TODAY),
    "policy_expired": (_set(GL, expiration_date="2026-03-15"), f"{GL}.not_expired", Outcome.FAIL, TODAY),
    "policy_expires_soon": (_set(GL, expiration_date="2026-04-13"), f"{GL}.expiry_notice", Outcome.FAIL, TODAY),
    "policy_not_in_force_for_work_window": (
        _set(GL, effective_date="2026-04-01"),
        f"{GL}.work_window",
        Outcome.FAIL,
        TODAY,
    ),
    "per_project_aggregate_not_shown": (
        _claim_dropped(GL, "aggregate_applies_per", "policy", "CG 25 03"),
        f"{GL}.per_project_aggregate",
        Outcome.FAIL,
        TODAY,
    ),
    "additional_insured_not_shown": (
        _claim_dropped(GL, "additional_insured", False, "CG 20 10", "CG 20 37"),
        f"{GL}.additional_insured",
        Outcome.FAIL,
        TODAY,
    ),
    "additional_insured_completed_ops_missing": (
        _claim_dropped(GL, "additional_insured", True, "CG 20 37"),
        f"{GL}.additional_insured_completed_ops",
        Outcome.FAIL,
        TODAY,
    ),
    "waiver_of_subrogation_not_shown": (
        _claim_dropped(WC, "subrogation_waived", False, "WC 00 03 13"),
        f"{WC}.waiver_of_subrogation",
        Outcome.FAIL,
        TODAY,
    ),
    "primary_noncontributory_not_shown": (_no_pnc, f"{GL}.primary_noncontributory", Outcome.FAIL, TODAY),
    "endorsement_copy_missing": (
        _claim_dropped(GL, "subrogation_waived", True, "CG 24 04"),
        f"{GL}.waiver_of_subrogation",
        Outcome.NEEDS_EVIDENCE,
        TODAY,
    ),
    "holder_mismatch": (
        _top("certificate_holder.name", "Summit Builders Group LLC"),
        "certificate.holder",
        Outcome.FAIL,
        TODAY,
    ),
    "named_insured_mismatch": (
        _top("named_insured.name", "Acme Painting LLC"),
        "certificate.named_insured",
        Outcome.FAIL,
        TODAY,
    ),
    "insurer_rating_below": (_insurer_b("45678"), f"{AUTO}.insurer_rating", Outcome.FAIL, TODAY),
    "insurer_not_rated": (_insurer_b("56789"), f"{AUTO}.insurer_rating", Outcome.NEEDS_REVIEW, TODAY),
    "certificate_missing": (list, f"{GL}.each_occurrence", Outcome.NEEDS_EVIDENCE, TODAY),
    "document_unreadable": (_with_unreadable, "submission.readable", Outcome.NEEDS_REVIEW, TODAY),
    "document_needs_review": (_flagged, f"{GL}.each_occurrence", Outcome.NEEDS_REVIEW, TODAY),
    "value_unreadable": (_limit(GL, "each_occurrence", None), f"{GL}.each_occurrence", Outcome.NEEDS_REVIEW, TODAY),
    "certificate_contradicts_endorsement": (_set(WC, subrogation_waived=False), f"{WC}.waiver_of_subrogation",
                                            Outcome.NEEDS_REVIEW, TODAY),
    "per_project_aggregate_unconfirmed": (_top("description_of_operations.", "Drywall, primary and non-contributory."),
                                          f"{GL}.per_project_aggregate", Outcome.NEEDS_REVIEW, TODAY),
}


def test_every_catalogue_code_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(CATALOGUE)


# The gap a scenario's requirement belongs to, when it is not keyed by the requirement itself.
GAP_KEYS = {
    "general_liability_missing": f"{GL}.coverage",
    "auto_missing": f"{AUTO}.coverage",
    "umbrella_missing": f"{UMB}.coverage",
    "workers_comp_missing": f"{WC}.coverage",
    "certificate_missing": "submission.received",
    "document_unreadable": "document:photo.jpg:unreadable",
    "document_needs_review": "document:acme-drywall-coi.pdf:review",
    "value_unreadable": "value:acme-drywall-coi.pdf:policies.0.limits.each_occurrence",
    "certificate_contradicts_endorsement": "box:acme-drywall-coi.pdf:policies.3.subrogation_waived",
}


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_scenario_produces_code(code: str) -> None:
    build, key, outcome, today = SCENARIOS[code]
    evaluation = run(build(), today=today)
    result = evaluation.result(key)
    assert result.outcome is outcome
    assert result.shortfall is not None and result.shortfall.code == code
    gap = evaluation.gap_of(key)
    assert gap is not None and (gap.key, gap.code, gap.outcome) == (GAP_KEYS.get(code, key), code, outcome)
    assert key in gap.requirement_keys and gap.explanation
    assert gap.ask == gap_ask(code, gap.line)


def test_compliant_fixture_has_no_gaps() -> None:
    evaluation = run(certificate())
    assert evaluation.gaps == ()
    assert all(result.outcome is Outcome.PASS for result in evaluation.results)


def test_gap_names_expected_found_and_location() -> None:
    cert = certificate()
    policy(cert, GL)["limits"]["each_occurrence"] = 750_000
    gap = run(cert).gap_of(f"{GL}.each_occurrence")
    assert gap is not None
    assert (gap.expected, gap.found) == ("at least $1,000,000", "$750,000")
    assert gap.location is not None
    assert gap.location.to_dict() == {
        "file": "acme-drywall-coi.pdf",
        "page": 1,
        "field": "policies.0.limits.each_occurrence",
        "box": "EACH OCCURRENCE box on the general liability row",
    }
    assert gap.where == "acme-drywall-coi.pdf, page 1, EACH OCCURRENCE box on the general liability row"
    assert gap.explanation == ("Your general liability, each occurrence limit is $750,000; "
                               "the requirement is at least $1,000,000.")


def test_gap_to_dict_is_json_ready() -> None:
    import json

    cert = certificate()
    policy(cert, GL)["expiration_date"] = "2026-03-01"
    evaluation = run(cert)
    data = json.loads(json.dumps(evaluation.to_dict()))
    assert data["status"] == "expired"
    assert {gap["code"] for gap in data["gaps"]} >= {"policy_expired"}


def test_catalogue_entries_are_complete() -> None:
    for info in CATALOGUE.values():
        assert info.title and info.explanation and info.why and info.fix, info.code
