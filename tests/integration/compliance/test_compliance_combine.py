"""Combining the documents of one submission: best evidence per line, never a pass from missing data."""

from __future__ import annotations

from datetime import date

from integration.certificate import ExtractedCertificate
from integration.compliance import Outcome, Status
from integration.compliance.combine import combine, normalize_form
from tests.integration.compliance.compliance_factories import certificate, keep_lines, policy, run, set_confidence

GL, UMB, WC = "general_liability", "umbrella_liability", "workers_compensation"


def _only(cert: dict, *lines: str, file: str) -> dict:
    cert["file"] = file
    return keep_lines(cert, *lines)


def _split_submission() -> list[dict]:
    main = _only(certificate(), GL, "automobile_liability", WC, file="coi.pdf")
    main["endorsements"] = []
    umbrella = _only(certificate(), UMB, file="umbrella.pdf")
    umbrella["endorsements"] = []
    pages = certificate()
    pages.update(file="endorsements.pdf", policies=[])
    return [main, umbrella, pages]


def test_separate_umbrella_certificate_and_endorsement_pages_combine() -> None:
    evaluation = run(_split_submission())
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.result(f"{UMB}.each_occurrence").outcome is Outcome.PASS


def test_endorsement_pages_from_another_document_are_located_there() -> None:
    submission = combine([ExtractedCertificate.from_dict(doc) for doc in _split_submission()], date(2026, 3, 15))
    assert {page.fact.location.file for page in submission.endorsements} == {"endorsements.pdf"}
    assert submission.policies[UMB].cert.file == "umbrella.pdf"


def test_current_policy_is_chosen_over_an_expired_one() -> None:
    old = certificate()
    old["file"] = "old.pdf"
    for row in old["policies"]:
        row.update(effective_date="2025-01-01", expiration_date="2026-01-01")
    evaluation = run([old, certificate()])
    assert evaluation.status is Status.COMPLIANT


def test_a_corrected_certificate_for_the_same_policies_replaces_the_earlier_one() -> None:
    wrong = certificate()
    wrong["file"] = "first.pdf"
    wrong["named_insured"]["name"] = "Someone Else Entirely, Inc."  # the agent made it out to the wrong insured
    corrected = certificate()
    corrected["file"] = "corrected.pdf"  # the same policies and dates, re-issued
    evaluation = run([wrong, corrected])
    assert evaluation.status is Status.COMPLIANT, [gap.code for gap in evaluation.gaps]
    submission = combine([ExtractedCertificate.from_dict(doc) for doc in (wrong, corrected)], date(2026, 3, 15))
    assert {evidence.cert.file for evidence in submission.policies.values()} == {"corrected.pdf"}


def test_renewal_not_yet_in_force_does_not_replace_current_policy() -> None:
    renewal = certificate()
    renewal["file"] = "renewal.pdf"
    policy(renewal, GL).update(effective_date="2027-01-01", expiration_date="2028-01-01")
    policy(renewal, GL)["limits"]["each_occurrence"] = 1
    assert run([certificate(), renewal]).result(f"{GL}.each_occurrence").outcome is Outcome.PASS


def test_confident_copy_is_preferred_over_low_confidence_copy() -> None:
    shaky = set_confidence(certificate(), "policies.0.limits.each_occurrence", 0.2)
    shaky["file"] = "fax.pdf"
    assert run([shaky, certificate()]).result(f"{GL}.each_occurrence").outcome is Outcome.PASS
    assert run([shaky]).result(f"{GL}.each_occurrence").outcome is Outcome.NEEDS_REVIEW


def test_combining_never_turns_missing_data_into_a_pass() -> None:
    blank = certificate()
    policy(blank, GL)["limits"]["each_occurrence"] = None
    other = _only(certificate(), WC, file="wc.pdf")
    result = run([blank, other]).result(f"{GL}.each_occurrence")
    assert result.outcome is Outcome.NEEDS_REVIEW


def test_line_missing_next_to_an_unreadable_document_needs_review_not_fail() -> None:
    without_wc = _only(certificate(), GL, "automobile_liability", UMB, file="coi.pdf")
    unreadable = {"file": "wc-scan.pdf", "ok": False, "error": "image too blurred to read"}
    evaluation = run([without_wc, unreadable])
    result = evaluation.result(f"{WC}.coverage")
    assert result.outcome is Outcome.NEEDS_REVIEW
    assert result.shortfall is not None and result.shortfall.code == "workers_comp_missing"
    assert "wc-scan.pdf could not be read and may show it" in result.shortfall.detail
    assert [(gap.key, gap.outcome) for gap in evaluation.open_gaps()] == [
        (f"{WC}.coverage", Outcome.NEEDS_REVIEW), ("document:wc-scan.pdf:unreadable", Outcome.NEEDS_REVIEW)]


def test_line_missing_with_everything_readable_fails() -> None:
    without_wc = _only(certificate(), GL, "automobile_liability", UMB, file="coi.pdf")
    result = run(without_wc).result(f"{WC}.coverage")
    assert result.outcome is Outcome.FAIL
    assert result.shortfall is not None and result.shortfall.code == "workers_comp_missing"


def test_other_lines_are_ignored() -> None:
    cert = certificate()
    cert["policies"].append({"line": "other", "description": "Professional", "limits": {}})
    assert run(cert).status is Status.COMPLIANT


def test_bracketed_provenance_paths_are_read() -> None:
    cert = certificate()
    cert["fields"]["policies[0].limits.each_occurrence"] = {"confidence": 0.1, "page": 1}
    del cert["fields"]["policies.0.limits.each_occurrence"]
    assert run(cert).result(f"{GL}.each_occurrence").outcome is Outcome.NEEDS_REVIEW


def test_normalize_form() -> None:
    assert normalize_form("cg2010") == normalize_form(" CG 20 10 ") == "CG 20 10"
    assert normalize_form("WC000313") == "WC 00 03 13"
