"""Endorsement-backed conditions: additional insured, waiver of subrogation, primary and
non-contributory, per-project aggregate.

A tick or remark on the certificate is a claim; the endorsement page is the proof (a certificate is
information only and changes no policy). An attached page for an accepted form passes. Otherwise the
claim is read: absent means FAIL; present means PASS when the company accepts claims, NEEDS_EVIDENCE
when it requires copies.
Umbrella lines have no standard endorsement forms (they follow form), so their claims suffice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from integration.compliance.combine import EndorsementPage, Fact, PolicyEvidence, read_fact
from integration.compliance.context import Context, Finding, failed, needs_evidence, passed, unreadable
from integration.compliance.requirements import Requirement

ONGOING_AI_FORMS = frozenset({"CG 20 10", "CG 20 26", "CG 20 33", "CG 20 38"})  # CG 20 38 read as ongoing-only
COMPLETED_AI_FORMS = frozenset({"CG 20 37", "CG 20 39", "CG 20 40"})
_PNC = re.compile(r"primary\W+(and\W+)?non\W*contributory", re.IGNORECASE)


def _flag(name: str) -> Callable[[PolicyEvidence], Fact]:
    return lambda policy: policy.fact(name)


def _per_project(policy: PolicyEvidence) -> Fact:
    fact = policy.fact("aggregate_applies_per")
    return replace(fact, value=None if fact.value is None else fact.value == "project")


def _pnc_remark(policy: PolicyEvidence) -> Fact:
    fact = read_fact(policy.cert, "description_of_operations")
    return replace(fact, value=None if fact.value is None else bool(_PNC.search(str(fact.value))))


@dataclass(frozen=True)
class EndorsementRule:
    """How one condition on one line is claimed, which forms prove it, and its gap code."""

    claim: Callable[[PolicyEvidence], Fact]
    forms: frozenset[str]
    code: str
    what: str


_AI = "additional_insured_not_shown"
_WOS = "waiver_of_subrogation_not_shown"
_PNC_CODE = "primary_noncontributory_not_shown"
RULES: dict[tuple[str, str], EndorsementRule] = {
    ("general_liability", "additional_insured"): EndorsementRule(
        _flag("additional_insured"), ONGOING_AI_FORMS, _AI, "ADDL INSD mark"
    ),
    ("general_liability", "additional_insured_completed_ops"): EndorsementRule(
        _flag("additional_insured"), COMPLETED_AI_FORMS, "additional_insured_completed_ops_missing", "ADDL INSD mark"
    ),
    ("general_liability", "waiver_of_subrogation"): EndorsementRule(
        _flag("subrogation_waived"), frozenset({"CG 24 04"}), _WOS, "SUBR WVD mark"
    ),
    ("general_liability", "primary_noncontributory"): EndorsementRule(
        _pnc_remark, frozenset({"CG 20 01"}), _PNC_CODE, "Description of Operations"
    ),
    ("general_liability", "per_project_aggregate"): EndorsementRule(
        _per_project, frozenset({"CG 25 03"}), "per_project_aggregate_not_shown", "aggregate-applies-per box"
    ),
    ("automobile_liability", "additional_insured"): EndorsementRule(
        _flag("additional_insured"), frozenset({"CA 20 48"}), _AI, "ADDL INSD mark"
    ),
    ("automobile_liability", "waiver_of_subrogation"): EndorsementRule(
        _flag("subrogation_waived"), frozenset({"CA 04 44"}), _WOS, "SUBR WVD mark"
    ),
    ("umbrella_liability", "additional_insured"): EndorsementRule(
        _flag("additional_insured"), frozenset(), _AI, "ADDL INSD mark"
    ),
    ("umbrella_liability", "waiver_of_subrogation"): EndorsementRule(
        _flag("subrogation_waived"), frozenset(), _WOS, "SUBR WVD mark"
    ),
    ("umbrella_liability", "primary_noncontributory"): EndorsementRule(
        _pnc_remark, frozenset(), _PNC_CODE, "Description of Operations"
    ),
    ("workers_compensation", "waiver_of_subrogation"): EndorsementRule(
        _flag("subrogation_waived"), frozenset({"WC 00 03 13"}), _WOS, "SUBR WVD mark"
    ),
}


def check_endorsement(req: Requirement, ctx: Context) -> Finding:
    """An endorsement-backed condition is proved by a page, or claimed in a way the company accepts."""
    rule = RULES[(req.line or "", req.check)]
    expected = " or ".join(sorted(rule.forms)) or "shown on the certificate"
    page = _proving_page(ctx.submission.endorsements, rule, req.check)
    if page:
        return passed(page.fact)
    ongoing = _ongoing_only(ctx) if req.check == "additional_insured_completed_ops" else None
    if ongoing:
        detail = f"Only an ongoing-operations form ({ongoing.form}) is attached; completed operations are not."
        return failed(rule.code, expected, ongoing.form, ongoing.fact, detail)
    return _judge_claim(rule, rule.claim(ctx.chosen_policy(req.line)), ctx, expected)


def _judge_claim(rule: EndorsementRule, claim: Fact, ctx: Context, expected: str) -> Finding:
    """The certificate's claim alone: absent fails; present passes unless the company requires copies."""
    if not ctx.reliable(claim):
        return unreadable(claim, expected, rule.what)
    if claim.value is not True:
        return failed(rule.code, expected, "not shown", claim, f"The certificate does not show this ({rule.what}).")
    if ctx.settings.endorsement_copies_required and rule.forms:
        detail = f"The certificate claims it ({rule.what}), but no {expected} endorsement page is attached."
        return needs_evidence(expected, claim, detail)
    return passed(claim)


def _proving_page(pages: tuple[EndorsementPage, ...], rule: EndorsementRule, check: str) -> EndorsementPage | None:
    for page in pages:
        if page.form in rule.forms or (check == "additional_insured_completed_ops" and _old_cg2010(page)):
            return page
    return None


def _old_cg2010(page: EndorsementPage) -> bool:
    """The 11 85 edition of CG 20 10 still covered completed operations ("your work")."""
    return page.form == "CG 20 10" and page.edition == "1185"


def _ongoing_only(ctx: Context) -> EndorsementPage | None:
    return next((page for page in ctx.submission.endorsements if page.form in ONGOING_AI_FORMS), None)
