"""One gap per thing a person must fix, and overrides that apply to a gap as people see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from integration.compliance import Outcome, Status
from tests.integration.compliance.compliance_factories import (
    certificate,
    policy,
    remove_line,
    requirements,
    run,
    set_confidence,
)

GL, AUTO, UMB, WC = "general_liability", "automobile_liability", "umbrella_liability", "workers_compensation"
COI = "acme-drywall-coi.pdf"
Docs = Callable[[], list[dict[str, Any]]]


def _unreadable(name: str = "photo.jpg") -> dict[str, Any]:
    return {"file": name, "ok": False, "error": "not a certificate of insurance"}


def _no_umbrella() -> list[dict[str, Any]]:
    return [remove_line(certificate(), UMB)]


def _flagged(*low: str) -> Docs:
    def build() -> list[dict[str, Any]]:
        cert = certificate()
        cert["needs_review"] = True
        for path in low:
            set_confidence(cert, path, 0.2)
        return [cert]
    return build


def _blank_gl_expiry() -> list[dict[str, Any]]:
    cert = certificate()
    policy(cert, GL)["expiration_date"] = None
    return [cert]


def _expired_gl() -> list[dict[str, Any]]:
    cert = certificate()
    policy(cert, GL).update(effective_date="2025-03-01", expiration_date="2026-03-01")
    return [cert]


def _short_on_two_lines() -> list[dict[str, Any]]:
    cert = certificate()
    policy(cert, GL)["limits"]["each_occurrence"] = 500_000
    policy(cert, WC)["statutory"] = False
    return [cert]


def _keys_of(line: str) -> set[str]:
    return {key for key in requirements().keys() if key.startswith(f"{line}.")}


NOTICE = {"settings": {"min_days_before_expiry": 30}}

# documents, requirement-set patch -> the open gaps (key, outcome), in order
CASES: list[tuple[str, Docs, dict[str, Any], list[tuple[str, Outcome]]]] = [
    ("a missing line is one gap", _no_umbrella, {}, [(f"{UMB}.coverage", Outcome.FAIL)]),
    ("nothing received is one gap", list, {}, [("submission.received", Outcome.NEEDS_EVIDENCE)]),
    ("a flagged document is one gap", _flagged(), {}, [(f"document:{COI}:review", Outcome.NEEDS_REVIEW)]),
    ("a flagged document's doubtful values are part of its gap",
     _flagged("policies.0.limits.each_occurrence", "policies.3.expiration_date"), {},
     [(f"document:{COI}:review", Outcome.NEEDS_REVIEW)]),
    ("a blank value is one gap however many checks rest on it", _blank_gl_expiry, NOTICE,
     [(f"value:{COI}:policies.0.expiration_date", Outcome.NEEDS_REVIEW)]),
    ("an expired policy's other date problems are part of its gap", _expired_gl, NOTICE,
     [(f"{GL}.not_expired", Outcome.FAIL)]),
    ("an unreadable document is one gap", lambda: [certificate(), _unreadable()], {},
     [("document:photo.jpg:unreadable", Outcome.NEEDS_REVIEW)]),
    ("two unreadable documents are two gaps", lambda: [_unreadable("a.jpg"), _unreadable("b.jpg")], {},
     [("document:a.jpg:unreadable", Outcome.NEEDS_REVIEW), ("document:b.jpg:unreadable", Outcome.NEEDS_REVIEW)]),
    ("no umbrella beside an unreadable document: the line (for review) and the document",
     lambda: [*_no_umbrella(), _unreadable()], {},
     [(f"{UMB}.coverage", Outcome.NEEDS_REVIEW), ("document:photo.jpg:unreadable", Outcome.NEEDS_REVIEW)]),
    ("no umbrella on a flagged certificate: the line and the document",
     lambda: [{**_no_umbrella()[0], "needs_review": True}], {},
     [(f"{UMB}.coverage", Outcome.FAIL), (f"document:{COI}:review", Outcome.NEEDS_REVIEW)]),
    ("separate shortfalls stay separate", _short_on_two_lines, {},
     [(f"{GL}.each_occurrence", Outcome.FAIL), (f"{WC}.statutory", Outcome.FAIL)]),
]


@pytest.mark.parametrize(("docs", "patch", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_one_gap_per_thing_to_fix(docs: Docs, patch: dict[str, Any], expected: list[tuple[str, Outcome]]) -> None:
    evaluation = run(docs(), requirements(**patch))
    assert [(gap.key, gap.outcome) for gap in evaluation.open_gaps()] == expected
    unmet = {result.key for result in evaluation.results if not result.satisfied}
    assert {key for gap in evaluation.gaps for key in gap.requirement_keys} == unmet  # each one is in a gap
    assert all(evaluation.result(key).gap_key in {g.key for g in evaluation.gaps} for key in unmet)


def test_a_missing_line_gap_stands_for_every_requirement_of_the_line() -> None:
    gap = run(_no_umbrella()).gap(f"{UMB}.coverage")
    assert set(gap.requirement_keys) == _keys_of(UMB) and gap.code == "umbrella_missing"
    assert gap.explanation.count("umbrella") == 1


def test_a_flagged_document_gap_stands_for_every_requirement_resting_on_it() -> None:
    evaluation = run(_flagged()())
    gap = evaluation.gap(f"document:{COI}:review")
    assert set(gap.requirement_keys) == set(requirements().keys()) - {"submission.readable"}
    assert gap.location is not None and gap.location.file == COI


def _waive(key: str, kind: str = "waive") -> dict[str, Any]:
    return {"gap_key": key, "kind": kind, "reason": "owner agreed", "vendor_id": "v-acme"}


def _blank_addl_insd() -> list[dict[str, Any]]:
    cert = certificate()
    cert["policies"][0]["additional_insured"] = False  # CG 20 10 and CG 20 37 stay attached
    return [cert]


def _aggregate_page() -> list[dict[str, Any]]:
    cert = certificate()
    remarks = cert["description_of_operations"]
    cert["description_of_operations"] = remarks.replace("on all projects", "for the Harbor Pier project only")
    return [cert]


# documents, overrides -> status, open gap keys
OVERRIDES = [
    ("a box against two pages, confirmed by a person", _blank_addl_insd,
     [_waive(f"box:{COI}:policies.0.additional_insured", "mark_compliant")], Status.COMPLIANT, []),
    ("a waiver of one requirement the box gap covers leaves the box gap", _blank_addl_insd,
     [_waive(f"{GL}.additional_insured")], Status.UNDER_REVIEW, [f"box:{COI}:policies.0.additional_insured"]),
    ("a schedule for another project only, confirmed by a person", _aggregate_page,
     [_waive(f"{GL}.per_project_aggregate", "mark_compliant")], Status.COMPLIANT, []),
    ("waiving the missing line waives the vendor", _no_umbrella, [_waive(f"{UMB}.coverage")], Status.WAIVED, []),
    ("marking the flagged document compliant clears it", _flagged(), [_waive(f"document:{COI}:review",
                                                                              "mark_compliant")], Status.COMPLIANT, []),
    ("an override of a requirement inside a gap is not an override of the gap", _no_umbrella,
     [_waive(f"{UMB}.each_occurrence")], Status.NOT_COMPLIANT, [f"{UMB}.coverage"]),
    ("one waiver among two gaps leaves the other", _short_on_two_lines, [_waive(f"{GL}.each_occurrence")],
     Status.NOT_COMPLIANT, [f"{WC}.statutory"]),
    ("both waived", _short_on_two_lines, [_waive(f"{GL}.each_occurrence"), _waive(f"{WC}.statutory")],
     Status.WAIVED, []),
    ("a blank value confirmed another way", _blank_gl_expiry,
     [_waive(f"value:{COI}:policies.0.expiration_date", "mark_compliant")], Status.COMPLIANT, []),
    ("nothing received, waived", list, [_waive("submission.received")], Status.WAIVED, []),
    ("waiving one of two unreadable documents leaves the other", lambda: [_unreadable("a.jpg"), _unreadable("b.jpg")],
     [_waive("document:a.jpg:unreadable")], Status.UNDER_REVIEW, ["document:b.jpg:unreadable"]),
]


@pytest.mark.parametrize(("docs", "overrides", "status", "still_open"), [case[1:] for case in OVERRIDES],
                         ids=[case[0] for case in OVERRIDES])
def test_overrides_apply_to_a_gap_as_people_see_it(docs: Docs, overrides: list[dict[str, Any]], status: Status,
                                                   still_open: list[str]) -> None:
    evaluation = run(docs(), overrides=overrides)
    assert evaluation.status is status
    assert [gap.key for gap in evaluation.open_gaps()] == still_open
    for result in evaluation.results:
        mine = [gap for gap in evaluation.gaps if result.key in gap.requirement_keys]
        assert result.satisfied is (result.outcome is Outcome.PASS or all(not gap.open for gap in mine))


def test_a_waived_line_shows_in_the_line_statuses_at_once() -> None:
    evaluation = run(_no_umbrella(), overrides=[_waive(f"{UMB}.coverage")])
    assert evaluation.line_statuses[UMB] is Status.WAIVED
    assert evaluation.line_statuses[GL] is Status.COMPLIANT
