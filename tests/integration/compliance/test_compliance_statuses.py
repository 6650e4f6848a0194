"""Statuses per assignment, per coverage line and per vendor, their precedence, and expiry by date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from integration.compliance import Outcome, Status, vendor_status
from integration.compliance.results import Gap
from integration.compliance.statuses import status_of
from tests.integration.compliance.compliance_factories import (
    certificate,
    drop_forms,
    policy,
    requirements,
    run,
    set_confidence,
)

GL, AUTO = "general_liability", "automobile_liability"
NO_NOTICE = {"settings": {"min_days_before_expiry": 0}}


def test_compliant() -> None:
    assert run(certificate()).status is Status.COMPLIANT


def test_not_compliant_on_a_fail() -> None:
    cert = certificate()
    policy(cert, GL)["limits"]["each_occurrence"] = 1
    assert run(cert).status is Status.NOT_COMPLIANT


def test_expired_when_a_required_policy_has_expired() -> None:
    assert run(certificate(), today=date(2027, 1, 5)).status is Status.EXPIRED


def test_under_review_on_low_confidence() -> None:
    cert = set_confidence(certificate(), "policies.0.limits.each_occurrence", 0.5)
    assert run(cert).status is Status.UNDER_REVIEW


def test_nothing_received_when_no_document_came() -> None:
    evaluation = run([])
    assert evaluation.status is Status.NOTHING_RECEIVED
    assert all(result.outcome is Outcome.NEEDS_EVIDENCE for result in evaluation.results)


def test_evidence_owed_when_an_endorsement_copy_is_owed() -> None:
    assert run(drop_forms(certificate(), "CG 24 04")).status is Status.EVIDENCE_OWED


def test_the_two_waiting_statuses_are_told_apart_for_people() -> None:
    assert Status.NOTHING_RECEIVED.label == "Nothing received"
    assert Status.EVIDENCE_OWED.label == "Endorsement owed"
    assert len({status.label for status in Status}) == len(Status)


def test_waived_when_the_only_gap_is_waived() -> None:
    cert = certificate()
    policy(cert, GL)["limits"]["each_occurrence"] = 1
    waiver = {
        "gap_key": f"{GL}.each_occurrence",
        "kind": "waive",
        "reason": "owner agreed",
        "vendor_id": "v-acme",
    }
    evaluation = run(cert, overrides=[waiver])
    assert evaluation.status is Status.WAIVED
    assert evaluation.status.satisfied


def test_under_review_when_every_document_is_unreadable() -> None:
    evaluation = run([{"file": "scan.pdf", "ok": False, "error": "encrypted"}])
    assert evaluation.status is Status.UNDER_REVIEW
    assert {gap.code for gap in evaluation.open_gaps()} == {"document_unreadable"}


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 31), Status.COMPLIANT),  # the last day of cover
        (date(2027, 1, 1), Status.EXPIRED),  # the expiration date itself: expired from that day
        (date(2027, 6, 1), Status.EXPIRED),
    ],
)
def test_expiry_flips_status_on_the_expiration_date(today: date, expected: Status) -> None:
    assert run(certificate(), requirements(**NO_NOTICE), today=today).status is expected


def test_minimum_days_before_expiry_is_exact() -> None:
    expires = date(2027, 1, 1)
    on_time = run(certificate(), today=expires - timedelta(days=30)).result(f"{GL}.expiry_notice")
    late = run(certificate(), today=expires - timedelta(days=29)).result(f"{GL}.expiry_notice")
    assert on_time.outcome is Outcome.PASS
    assert late.outcome is Outcome.FAIL and late.shortfall is not None and late.shortfall.code == "policy_expires_soon"


def test_line_statuses_are_separate() -> None:
    cert = certificate()
    policy(cert, GL)["limits"]["each_occurrence"] = 1
    statuses = run(cert).line_statuses
    assert statuses[GL] is Status.NOT_COMPLIANT
    assert statuses[AUTO] is Status.COMPLIANT
    assert "certificate" not in statuses


def _gap(outcome: Outcome, code: str = "x", key: str = "k") -> Gap:
    return Gap(key, code, outcome, None, None, None, None, "", "", (key,))


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([(Outcome.FAIL, "policy_expired"), (Outcome.FAIL, "gl_each_occurrence_below")], Status.EXPIRED),
        (
            [(Outcome.FAIL, "gl_each_occurrence_below"), (Outcome.NEEDS_REVIEW, "value_unreadable")],
            Status.NOT_COMPLIANT,
        ),
        (
            [(Outcome.NEEDS_REVIEW, "value_unreadable"), (Outcome.NEEDS_EVIDENCE, "endorsement_copy_missing")],
            Status.UNDER_REVIEW,
        ),
        ([(Outcome.NEEDS_EVIDENCE, "endorsement_copy_missing")], Status.EVIDENCE_OWED),
        ([(Outcome.NEEDS_EVIDENCE, "certificate_missing")], Status.NOTHING_RECEIVED),
        ([(Outcome.NEEDS_EVIDENCE, "certificate_missing"), (Outcome.NEEDS_EVIDENCE, "endorsement_copy_missing")],
         Status.NOTHING_RECEIVED),
        ([], Status.COMPLIANT),
    ],
)
def test_precedence(outcomes: list[tuple[Outcome, str]], expected: Status) -> None:
    assert status_of([_gap(outcome, code, f"k{i}") for i, (outcome, code) in enumerate(outcomes)]) is expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([Status.COMPLIANT, Status.WAIVED], Status.WAIVED),
        ([Status.COMPLIANT, Status.UNDER_REVIEW, Status.EVIDENCE_OWED], Status.UNDER_REVIEW),
        ([Status.EVIDENCE_OWED, Status.NOTHING_RECEIVED], Status.NOTHING_RECEIVED),
        ([Status.EVIDENCE_OWED, Status.WAIVED], Status.EVIDENCE_OWED),
        ([Status.NOT_COMPLIANT, Status.EXPIRED, Status.COMPLIANT], Status.EXPIRED),
        ([Status.NOTHING_RECEIVED, Status.NOT_COMPLIANT], Status.NOT_COMPLIANT),
        ([Status.COMPLIANT, Status.COMPLIANT], Status.COMPLIANT),
        ([], Status.NOTHING_RECEIVED),
    ],
)
def test_vendor_status_is_the_worst_assignment(statuses: list[Status], expected: Status) -> None:
    assert vendor_status(statuses) is expected
