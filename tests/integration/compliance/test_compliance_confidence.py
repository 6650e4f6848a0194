"""Low-confidence, blank or flagged input is never a pass: it needs a person."""

from __future__ import annotations

import pytest

from integration.compliance import Outcome, Status
from tests.integration.compliance.compliance_factories import (
    certificate,
    drop_forms,
    policy,
    requirements,
    run,
    set_confidence,
)

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


# provenance path -> the requirement that rests on the value; a value with no measured confidence is not trusted
UNMEASURED = [
    ("policies.0.limits.each_occurrence", f"{GL}.each_occurrence"),
    ("policies.0.expiration_date", f"{GL}.not_expired"),
    ("policies.0.occurrence", f"{GL}.occurrence_basis"),
    ("policies.0.additional_insured", f"{GL}.additional_insured"),
    ("policies.0.aggregate_applies_per", f"{GL}.per_project_aggregate"),
    ("policies.3.statutory", f"{WC}.statutory"),
    ("insurers.2.naic", f"{WC}.insurer_rating"),
    ("named_insured.name", "certificate.named_insured"),
    ("certificate_holder.name", "certificate.holder"),
    ("description_of_operations", f"{GL}.primary_noncontributory"),
]


@pytest.mark.parametrize(("path", "key"), UNMEASURED)
@pytest.mark.parametrize("how", ["no entry", "no confidence"])
def test_a_value_whose_confidence_was_not_measured_needs_review(path: str, key: str, how: str) -> None:
    cert = certificate()
    if how == "no entry":
        del cert["fields"][path]
    else:
        cert["fields"][path] = {"confidence": None, "page": 1}
    if key.endswith("primary_noncontributory"):
        drop_forms(cert, "CG 20 01")  # the remark is the evidence only when the page is not attached
    result = run(cert, requirements(settings={"endorsement_copies_required": False})).result(key)
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.shortfall is not None and result.shortfall.code in ("value_unreadable", "insurer_not_rated")


def test_an_endorsement_page_whose_form_number_was_not_measured_is_not_proof() -> None:
    cert = certificate()
    del cert["fields"]["endorsements.3.form"]  # CG 24 04, waiver of subrogation on general liability
    cert["policies"][0]["subrogation_waived"] = True
    evaluation = run(cert)
    result = evaluation.result(f"{GL}.waiver_of_subrogation")
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.shortfall is not None and result.shortfall.code == "value_unreadable"
    gap = evaluation.gap_of(f"{GL}.waiver_of_subrogation")
    assert gap is not None and gap.where == "acme-drywall-coi.pdf, page 5, CG 24 04 endorsement"
