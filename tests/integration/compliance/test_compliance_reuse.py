"""One vendor's documents evaluated for the company and several assignments: what is shared changes nothing.

The engine keeps findings, gaps and results with the combined documents and reuses them for the next
evaluation whose inputs are equal. Each evaluation below must equal the one made from freshly combined
documents, and evaluations that differ in what a check reads must not share results.
"""

from __future__ import annotations

from datetime import date

from integration.certificate import ExtractedCertificate
from integration.compliance import evaluate
from integration.compliance.combine import combine
from tests.integration.compliance.compliance_factories import TODAY, carriers, certificate, policy, requirements

GL = "general_liability.each_occurrence"


def documents() -> list[dict]:
    """A low GL limit, and a per-project aggregate endorsement that names one project only."""
    cert = certificate()
    policy(cert, "general_liability")["limits"]["each_occurrence"] = 500_000
    cert["description_of_operations"] = cert["description_of_operations"].replace("on all projects",
                                                                                  "for Riverside Clinic only")
    return [cert]


def work(assignment_id: str | None, project: str | None = None, start: str | None = None,
         end: str | None = None) -> dict:
    return {"vendor_id": "v-1", "assignment_id": assignment_id, "project_id": assignment_id, "project_name": project,
            "work_start": start, "work_end": end}


WAIVER = {"gap_key": GL, "kind": "waive", "reason": "Accepted", "vendor_id": "v-1", "assignment_id": "a-3"}
CARRIERS = carriers()  # one table, as a bulk run passes it: findings are kept only while it is the same
STRICTER = requirements(lines={"general_liability": {"limits": {"each_occurrence": 400_000}}})

# (name, assignment, requirement set or None for the standard one, overrides), evaluated in this order
SEQUENCE = [
    ("company", work(None), None, [WAIVER]),
    ("same as the company", work("a-1"), None, [WAIVER]),
    ("named project", work("a-2", "Riverside Clinic"), None, [WAIVER]),
    ("other project", work("a-4", "Harbor Tower"), None, [WAIVER]),
    ("work past the policies", work("a-5", start="2026-03-01", end="2027-06-30"), None, [WAIVER]),
    ("waived here", work("a-3"), None, [WAIVER]),
    ("other set", work("a-6"), STRICTER, [WAIVER]),
    ("company again", work(None), None, [WAIVER]),
]


def _evaluate(submission, assignment: dict, requirement_set, overrides: list[dict]):
    return evaluate(submission, requirement_set or requirements(), assignment, TODAY, vendor="Acme Drywall LLC",
                    carriers=CARRIERS, overrides=overrides)


def _fresh() -> list:
    return [ExtractedCertificate.from_dict(doc) for doc in documents()]


def test_evaluations_sharing_documents_equal_evaluations_of_fresh_documents():
    shared = combine(_fresh(), TODAY)
    together = {name: _evaluate(shared, assignment, rules, overrides)
                for name, assignment, rules, overrides in SEQUENCE}
    for name, assignment, rules, overrides in SEQUENCE:
        alone = _evaluate(combine(_fresh(), TODAY), assignment, rules, overrides)
        assert together[name].to_dict() == alone.to_dict(), name
    # what differs is seen: each of these differs from the company-level evaluation in its results
    company = together["company"]
    for name in ("named project", "other project", "work past the policies", "waived here", "other set"):
        assert together[name].results != company.results, name
    assert {gap.code for gap in together["waived here"].open_gaps()} < {gap.code for gap in company.open_gaps()}
    # and what is equal is shared, not worked out again
    assert together["same as the company"].results is company.results
    assert together["company again"].results == company.results


def test_a_shared_finding_follows_the_day_and_the_vendor():
    shared = combine(_fresh(), TODAY)
    first = _evaluate(shared, work(None), None, [])
    later = evaluate(shared, requirements(), work(None), date(2027, 1, 15), vendor="Acme Drywall LLC",
                     carriers=CARRIERS)
    other_vendor = evaluate(shared, requirements(), work(None), TODAY, vendor="Another Firm Inc",
                            carriers=CARRIERS)
    assert later.to_dict() == evaluate(combine(_fresh(), TODAY), requirements(), work(None), date(2027, 1, 15),
                                       vendor="Acme Drywall LLC", carriers=carriers()).to_dict()
    assert later.status != first.status
    assert other_vendor.gap("certificate.named_insured") and not any(
        gap.key == "certificate.named_insured" for gap in first.gaps)
