"""Endorsement-backed conditions: additional insured, waiver of subrogation, primary and
non-contributory, per-project aggregate.

A tick or remark on the certificate is a claim; the endorsement page is the proof (a certificate is
information only and changes no policy). An attached page for an accepted form passes, provided the
certificate's own box agrees: a page beside a blank ADDL INSD or SUBR WVD box, or a CG 25 03 beside an
aggregate that "applies per POLICY", is a contradiction a person must resolve, never a pass. A
per-project aggregate page counts only when its schedule is known to name the project or to apply to
all projects; the schedule itself is not read, so the certificate's description of operations, where
brokers repeat it, is what shows it, and anything else is a review. Without a page the claim is read:
absent means FAIL; present means PASS when the company accepts claims, NEEDS_EVIDENCE when it requires
copies. Umbrella lines have no standard endorsement forms (they follow form), so their claims suffice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from integration.compliance.combine import EndorsementPage, Fact, PolicyEvidence, read_fact
from integration.compliance.context import Context, Finding, failed, needs_evidence, needs_review, passed, unreadable
from integration.compliance.names import entity_parts
from integration.compliance.requirements import Requirement
from integration.compliance.wording import coverage

ONGOING_AI_FORMS = frozenset({"CG 20 10", "CG 20 26", "CG 20 33", "CG 20 38"})  # CG 20 38 read as ongoing-only
COMPLETED_AI_FORMS = frozenset({"CG 20 37", "CG 20 39", "CG 20 40"})
_PNC = re.compile(r"primary\W+(and\W+)?non\W*contributory", re.IGNORECASE)
_ALL_PROJECTS = re.compile(r"\b(all|each|every|any)\s+(construction\s+)?(projects?|jobs?)\b", re.IGNORECASE)


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
    """How one condition on one line is claimed, which forms prove it, its gap code and its words."""

    claim: Callable[[PolicyEvidence], Fact]
    forms: frozenset[str]
    code: str
    condition: str  # what is asked for, in words
    unclaimed: str  # how the certificate fails to claim it
    boxed: bool = True  # claimed by a box on the form (so an attached page must agree with it)


CONTRADICTS = "certificate_contradicts_endorsement"
_AI, _WOS = "additional_insured_not_shown", "waiver_of_subrogation_not_shown"
_PNC_CODE = "primary_noncontributory_not_shown"
_ADDL = "the ADDL INSD box is not marked"
_SUBR = "the SUBR WVD box is not marked"
_REMARK = "the description of operations does not say so"
_AI_WORDS, _WOS_WORDS = "additional insured status", "a waiver of subrogation"
_PNC_WORDS = "primary and non-contributory cover"
RULES: dict[tuple[str, str], EndorsementRule] = {
    ("general_liability", "additional_insured"): EndorsementRule(
        _flag("additional_insured"), ONGOING_AI_FORMS, _AI, _AI_WORDS, _ADDL),
    ("general_liability", "additional_insured_completed_ops"): EndorsementRule(
        _flag("additional_insured"), COMPLETED_AI_FORMS, "additional_insured_completed_ops_missing",
        "additional insured status for completed operations", _ADDL),
    ("general_liability", "waiver_of_subrogation"): EndorsementRule(
        _flag("subrogation_waived"), frozenset({"CG 24 04"}), _WOS, _WOS_WORDS, _SUBR),
    ("general_liability", "primary_noncontributory"): EndorsementRule(
        _pnc_remark, frozenset({"CG 20 01"}), _PNC_CODE, _PNC_WORDS, _REMARK, boxed=False),
    ("general_liability", "per_project_aggregate"): EndorsementRule(
        _per_project, frozenset({"CG 25 03"}), "per_project_aggregate_not_shown", "a per-project aggregate",
        "the GEN'L AGGREGATE LIMIT APPLIES PER box does not show PRO-JECT"),
    ("automobile_liability", "additional_insured"): EndorsementRule(
        _flag("additional_insured"), frozenset({"CA 20 48"}), _AI, _AI_WORDS, _ADDL),
    ("automobile_liability", "waiver_of_subrogation"): EndorsementRule(
        _flag("subrogation_waived"), frozenset({"CA 04 44"}), _WOS, _WOS_WORDS, _SUBR),
    ("umbrella_liability", "additional_insured"): EndorsementRule(
        _flag("additional_insured"), frozenset(), _AI, _AI_WORDS, _ADDL),
    ("umbrella_liability", "waiver_of_subrogation"): EndorsementRule(
        _flag("subrogation_waived"), frozenset(), _WOS, _WOS_WORDS, _SUBR),
    ("umbrella_liability", "primary_noncontributory"): EndorsementRule(
        _pnc_remark, frozenset(), _PNC_CODE, _PNC_WORDS, _REMARK, boxed=False),
    ("workers_compensation", "waiver_of_subrogation"): EndorsementRule(
        _flag("subrogation_waived"), frozenset({"WC 00 03 13"}), _WOS, _WOS_WORDS, _SUBR),
}


def check_endorsement(req: Requirement, ctx: Context) -> Finding:
    """An endorsement-backed condition is proved by a page the certificate agrees with, or claimed acceptably."""
    rule = RULES[(req.line or "", req.check)]
    expected = f"{' or '.join(sorted(rule.forms))} endorsement page" if rule.forms else "shown on the certificate"
    claim = rule.claim(ctx.chosen_policy(req.line))
    page = _proving_page(ctx.submission.endorsements, rule, req.check)
    if page and not ctx.reliable(page.fact):
        return unreadable(page.fact, expected)  # a page that may be the proof, read without enough confidence
    if page:
        return _page_against_box(req, rule, page, claim, ctx, expected)
    ongoing = _ongoing_only(ctx) if req.check == "additional_insured_completed_ops" else None
    if ongoing:
        detail = (f"Only an ongoing-operations additional insured form ({ongoing.form}) is attached; it stops "
                  "covering the general contractor once your work is finished.")
        return failed(rule.code, expected, f"{ongoing.form} only", ongoing.fact, detail)
    return _judge_claim(req, rule, claim, ctx, expected)


def _page_against_box(req: Requirement, rule: EndorsementRule, page: EndorsementPage, claim: Fact, ctx: Context,
                      expected: str) -> Finding:
    """An attached page counts only when the certificate's box agrees (and, for CG 25 03, the schedule fits)."""
    if not rule.boxed:
        return passed(page.fact)
    if not ctx.reliable(claim):
        return unreadable(claim, expected)
    if claim.value is not True:  # the gap words it from the pages found and the box (see consolidate)
        detail = f"{rule.unclaimed} on your {coverage(req.line)} row"
        attached = f"{page.form} (page {page.fact.location.page})" if page.fact.location.page else page.form
        return needs_review(CONTRADICTS, f"the box to agree with {page.form}", claim, detail, attached)
    if req.check == "per_project_aggregate":
        return _schedule_fits(page, claim, ctx, expected)
    return passed(page.fact, claim)


def _schedule_fits(page: EndorsementPage, claim: Fact, ctx: Context, expected: str) -> Finding:
    """A per-project aggregate endorsement counts for this project, or for all projects, and no other."""
    remarks = read_fact(ctx.chosen_policy("general_liability").cert, "description_of_operations")
    text = str(remarks.value or "")
    project = ctx.assignment.project_name
    if ctx.reliable(remarks) and (_ALL_PROJECTS.search(text) or (project and _names(text, project))):
        return passed(page.fact, claim, remarks)
    which = f"names {project}" if project else "covers every project"
    detail = (f"{page.form} is attached (page {page.fact.location.page or '?'}), but nothing on the certificate "
              f"shows that its schedule {which} or applies to all projects, so a person must check the schedule.")
    return needs_review("per_project_aggregate_unconfirmed", expected, page.fact, detail, "schedule not confirmed")


def _names(text: str, project: str) -> bool:
    wanted, _ = entity_parts(project)
    found, _ = entity_parts(text)
    return bool(wanted) and f" {wanted} " in f" {found} "


def _judge_claim(req: Requirement, rule: EndorsementRule, claim: Fact, ctx: Context, expected: str) -> Finding:
    """The certificate's claim alone: absent fails; present passes unless the company requires copies."""
    if not ctx.reliable(claim):
        return unreadable(claim, expected)
    line = coverage(req.line)
    if claim.value is not True:
        pages = f", and no {' or '.join(sorted(rule.forms))} endorsement page is attached" if rule.forms else ""
        detail = f"The certificate does not show {rule.condition} on your {line}: {rule.unclaimed}{pages}."
        return failed(rule.code, expected, "not shown", claim, detail)
    if ctx.settings.endorsement_copies_required and rule.forms:
        detail = (f"The certificate shows {rule.condition} on your {line}, but the endorsement page that proves it "
                  f"({' or '.join(sorted(rule.forms))}) is not attached.")
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
