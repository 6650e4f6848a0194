"""Low-confidence, blank or flagged input is never a pass: it needs a person."""

from __future__ import annotations

import pytest

from integration.compliance import Outcome, Status
from tests.integration.compliance.compliance_factories import certificate, policy, requirements, run, set_confidence

GL, WC = "general_liability", "workers_compensation"

# (provenance path, requirement key it drives)
DRIVEN = [
    ("policies.0.limits.each_occurrence", f"{GL}.each_occurrence"),
    ("policies.0.expiration_date", f"{GL}.not_expired"),
    ("policies.0.effective_date", f"{GL}.work_window"),
    ("policies.0.insurer_letter", f"{GL}.insurer_rating"),
    ("policies.3.limits.el_each_accident", f"{WC}.el_each_accident"),
    ("insurers.0.naic", f"{GL}.insurer_rating"),
    ("named_insured.name", "certificate.named_insured"),
    ("certificate_holder.name", "certificate.holder"),
]


@pytest.mark.parametrize(("path", "key"), DRIVEN)
def test_low_confidence_needs_review(path: str, key: str) -> None:
    result = run(set_confidence(certificate(), path, 0.79)).result(key)
    assert result.outcome is Outcome.NEEDS_REVIEW


@pytest.mark.parametrize(("path", "key"), DRIVEN)
def test_confidence_at_threshold_is_trusted(path: str, key: str) -> None:
    assert run(set_confidence(certificate(), path, 0.8)).result(key).outcome is Outcome.PASS


def test_threshold_is_a_setting() -> None:
    cert = set_confidence(certificate(), "policies.0.limits.each_occurrence", 0.6)
    rs = requirements(settings={"min_confidence": 0.5})
    assert run(cert, rs).result(f"{GL}.each_occurrence").outcome is Outcome.PASS


def test_low_confidence_failing_value_is_review_not_fail() -> None:
    cert = set_confidence(certificate(), "policies.0.limits.each_occurrence", 0.3)
    policy(cert, GL)["limits"]["each_occurrence"] = 10
    assert run(cert).result(f"{GL}.each_occurrence").outcome is Outcome.NEEDS_REVIEW


@pytest.mark.parametrize("field", ["occurrence", "statutory", "expiration_date", "effective_date"])
def test_blank_values_need_review(field: str) -> None:
    cert = certificate()
    for row in cert["policies"]:
        row[field] = None
    evaluation = run(cert)
    assert evaluation.status is Status.UNDER_REVIEW
    assert all(
        result.outcome is not Outcome.PASS
        for result in evaluation.results
        if result.key.endswith(
            {
                "occurrence": ".occurrence_basis",
                "statutory": ".statutory",
                "expiration_date": ".not_expired",
                "effective_date": ".work_window",
            }[field]
        )
    )


def test_flagged_document_never_passes_but_still_fails() -> None:
    cert = certificate()
    cert["needs_review"] = True
    policy(cert, GL)["limits"]["each_occurrence"] = 1
    evaluation = run(cert)
    assert not any(
        result.outcome is Outcome.PASS for result in evaluation.results if result.key != "submission.readable"
    )
    assert evaluation.result(f"{GL}.each_occurrence").outcome is Outcome.FAIL
    assert evaluation.status is Status.NOT_COMPLIANT


def test_value_without_provenance_is_judged_on_its_value() -> None:
    cert = certificate()
    del cert["fields"]["policies.0.limits.each_occurrence"]
    assert run(cert).result(f"{GL}.each_occurrence").outcome is Outcome.PASS
