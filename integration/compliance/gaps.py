"""The catalogue of coverage-gap codes: one plain-language entry per code.

It feeds request e-mails, the compliance screens and the public Insurance Guide, so every entry
is written for a subcontractor and their broker, not for an insurance lawyer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GapInfo:
    """What a gap code means, why a GC asks for it, and which document fixes it."""

    code: str
    title: str
    explanation: str
    why: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        """Plain-data form."""
        return {
            "code": self.code,
            "title": self.title,
            "explanation": self.explanation,
            "why": self.why,
            "fix": self.fix,
        }


_ENDORSEMENT_NOTE = "A tick on the certificate is a claim; the endorsement page is the proof."

_ENTRIES = (
    # --- coverage lines -------------------------------------------------------------------------
    GapInfo(
        "general_liability_missing",
        "General liability is missing",
        "No commercial general liability policy was found in the documents you sent.",
        "General liability pays for injury and property damage your work causes to others on site.",
        "A certificate (ACORD 25) showing your commercial general liability policy.",
    ),
    GapInfo(
        "auto_missing",
        "Auto liability is missing",
        "No automobile liability policy was found in the documents you sent.",
        "Vehicles driven to, from and around the site cause some of the most serious claims.",
        "A certificate showing your business auto policy (any auto, or hired and non-owned autos).",
    ),
    GapInfo(
        "umbrella_missing",
        "Umbrella or excess liability is missing",
        "No umbrella or excess liability policy was found in the documents you sent.",
        "Large construction losses exceed primary limits; the umbrella sits on top of them.",
        "A certificate showing your umbrella or excess liability policy and its limits.",
    ),
    GapInfo(
        "workers_comp_missing",
        "Workers' compensation is missing",
        "No workers' compensation and employers' liability policy was found.",
        "Without it, an injured worker of yours may look to the GC's own policy.",
        "A certificate showing your workers' compensation policy, or the state's exemption form.",
    ),
    # --- limits ---------------------------------------------------------------------------------
    GapInfo(
        "gl_each_occurrence_below",
        "General liability each-occurrence limit is too low",
        "The general liability EACH OCCURRENCE limit is below the amount the subcontract requires.",
        "It is the most the policy pays for any one accident.",
        "A certificate showing the required each-occurrence limit (or an umbrella that can make it up, "
        "if the GC accepts stacking).",
    ),
    GapInfo(
        "gl_general_aggregate_below",
        "General liability aggregate is too low",
        "The GENERAL AGGREGATE limit is below the required amount.",
        "It is the most the policy pays in a policy year, for every job you do together.",
        "A certificate showing the required general aggregate limit.",
    ),
    GapInfo(
        "gl_products_completed_ops_below",
        "Products / completed operations aggregate is too low",
        "The PRODUCTS-COMP/OP AGG limit is below the required amount.",
        "It pays for claims after your work is finished and also caps completed-operations cover "
        "for additional insureds.",
        "A certificate showing the required products-completed operations aggregate.",
    ),
    GapInfo(
        "auto_combined_single_limit_below",
        "Auto combined single limit is too low",
        "The auto COMBINED SINGLE LIMIT is below the required amount.",
        "It is the most the auto policy pays for one accident.",
        "A certificate showing the required combined single limit.",
    ),
    GapInfo(
        "umbrella_each_occurrence_below",
        "Umbrella each-occurrence limit is too low",
        "The umbrella or excess EACH OCCURRENCE limit is below the required amount.",
        "The umbrella is what pays for a serious loss once primary limits are used up.",
        "A certificate showing the required umbrella/excess each-occurrence limit.",
    ),
    GapInfo(
        "umbrella_aggregate_below",
        "Umbrella aggregate is too low",
        "The umbrella or excess AGGREGATE limit is below the required amount.",
        "It is the most the umbrella pays in a policy year.",
        "A certificate showing the required umbrella/excess aggregate limit.",
    ),
    GapInfo(
        "el_each_accident_below",
        "Employers' liability each-accident limit is too low",
        "The E.L. EACH ACCIDENT limit is below the required amount.",
        "Employers' liability answers suits over workplace injuries that workers' comp does not.",
        "A certificate showing the required employers' liability each-accident limit.",
    ),
    GapInfo(
        "el_disease_each_employee_below",
        "Employers' liability disease (each employee) is too low",
        "The E.L. DISEASE - EA EMPLOYEE limit is below the required amount.",
        "It caps what the policy pays for one employee's work-related illness.",
        "A certificate showing the required disease - each employee limit.",
    ),
    GapInfo(
        "el_disease_policy_limit_below",
        "Employers' liability disease (policy limit) is too low",
        "The E.L. DISEASE - POLICY LIMIT is below the required amount.",
        "It caps what the policy pays for all work-related illness in a policy year.",
        "A certificate showing the required disease - policy limit.",
    ),
    # --- form of coverage -----------------------------------------------------------------------
    GapInfo(
        "workers_comp_not_statutory",
        "Workers' compensation is not shown as statutory",
        "The PER STATUTE box is not ticked on the workers' compensation row.",
        "Statutory limits are what state law requires; anything else needs a closer look.",
        "A certificate with PER STATUTE ticked on the workers' compensation row.",
    ),
    GapInfo(
        "claims_made_not_accepted",
        "Policy is claims-made, not occurrence",
        "The policy is written on a claims-made basis; the subcontract asks for occurrence.",
        "Occurrence policies answer for injuries during the policy period even if the claim comes "
        "years later, which matters for construction defects.",
        "An occurrence-basis policy, shown with OCCUR ticked on the certificate.",
    ),
    # --- dates ----------------------------------------------------------------------------------
    GapInfo(
        "policy_expired",
        "Policy has expired",
        "The policy's expiration date has passed.",
        "An expired policy pays nothing for anything that happens after that date.",
        "A certificate for the renewal policy with its new dates.",
    ),
    GapInfo(
        "policy_expires_soon",
        "Policy expires soon",
        "The policy expires sooner than the GC's minimum notice period.",
        "Renewal certificates take time to collect; the GC asks early so work is not interrupted.",
        "A certificate for the renewal policy, or confirmation the renewal is bound.",
    ),
    GapInfo(
        "policy_not_in_force_for_work_window",
        "Policy does not cover the work dates",
        "The policy's dates do not cover the dates you will be working on the project.",
        "Coverage must be in force for the whole time you are on site.",
        "A certificate whose policy dates cover the work, or the renewal certificate.",
    ),
    # --- endorsements ---------------------------------------------------------------------------
    GapInfo(
        "per_project_aggregate_not_shown",
        "Per-project aggregate is not shown",
        "The general aggregate is not shown as applying per project.",
        "Without it, claims on your other jobs can use up the limit meant for this one.",
        "A certificate with PRO-JECT ticked and the per-project aggregate endorsement (CG 25 03 or "
        "the carrier's equivalent). " + _ENDORSEMENT_NOTE,
    ),
    GapInfo(
        "additional_insured_not_shown",
        "Additional insured status is not shown",
        "The GC (and others the subcontract names) are not shown as additional insureds.",
        "Additional insured status lets the GC claim directly under your policy for your work.",
        "The additional insured endorsement (for example CG 20 10, or a blanket form such as CG 20 38) "
        "and a certificate with ADDL INSD marked. " + _ENDORSEMENT_NOTE,
    ),
    GapInfo(
        "additional_insured_completed_ops_missing",
        "Completed-operations additional insured is missing",
        "Additional insured cover for completed operations is not shown; ongoing-only forms such as "
        "CG 20 10 (current editions) stop when your work is finished.",
        "Most construction claims arrive after the work is done.",
        "The completed-operations additional insured endorsement (CG 20 37, or CG 20 40 / CG 20 39).",
    ),
    GapInfo(
        "waiver_of_subrogation_not_shown",
        "Waiver of subrogation is not shown",
        "The policy is not shown as waiving subrogation against the GC and others named.",
        "Without a waiver, your insurer can pay a claim and then sue the GC to recover it.",
        "The waiver of subrogation endorsement for each line asked for (CG 24 04 for general liability, "
        "CA 04 44 for auto, WC 00 03 13 for workers' comp). " + _ENDORSEMENT_NOTE,
    ),
    GapInfo(
        "primary_noncontributory_not_shown",
        "Primary and non-contributory is not shown",
        "Nothing shows that your policy is primary and non-contributory for the additional insureds.",
        "It makes your policy pay first, without drawing on the GC's own insurance.",
        "The primary and non-contributory endorsement (CG 20 01 or the carrier's equivalent).",
    ),
    GapInfo(
        "endorsement_copy_missing",
        "Endorsement page is missing",
        "The certificate claims an endorsement, but the endorsement page itself was not attached.",
        "The certificate does not change the policy; only the endorsement does.",
        "A copy of the endorsement page named in the requirement, with the schedule or blanket wording.",
    ),
    # --- parties --------------------------------------------------------------------------------
    GapInfo(
        "holder_mismatch",
        "Certificate holder is not the GC",
        "The certificate holder does not match the name the GC asked for.",
        "The holder is who the insurer's records point to for this certificate.",
        "A re-issued certificate with the exact certificate holder wording from the request.",
    ),
    GapInfo(
        "named_insured_mismatch",
        "Named insured does not match your company",
        "The insured named on the certificate is not the legal entity the GC contracted with.",
        "A policy only covers the entity it names; a sister company's policy does not cover you.",
        "A certificate naming your company's legal entity, exactly as on the subcontract.",
    ),
    # --- insurer --------------------------------------------------------------------------------
    GapInfo(
        "insurer_rating_below",
        "Insurer's rating is below the minimum",
        "The insurer's A.M. Best rating is below what the subcontract requires.",
        "A well-rated insurer is more likely to be able to pay a large claim.",
        "Coverage placed with an insurer rated at or above the minimum.",
    ),
    GapInfo(
        "insurer_not_rated",
        "Insurer's rating could not be confirmed",
        "The insurer could not be matched to a rated carrier (unknown NAIC number, or not rated).",
        "The GC checks the insurer's financial strength before relying on the policy.",
        "A certificate showing the insurer's NAIC number; the GC will confirm the rating.",
    ),
    # --- input ----------------------------------------------------------------------------------
    GapInfo(
        "certificate_missing",
        "No certificate received",
        "No certificate of insurance has been received for this project.",
        "The GC cannot let work start without proof of insurance.",
        "A current certificate of insurance (ACORD 25) and the endorsement pages the GC asked for.",
    ),
    GapInfo(
        "document_unreadable",
        "A document could not be read",
        "A document you sent could not be read as a certificate of insurance.",
        "The GC can only rely on documents it can read.",
        "A clear PDF of the certificate, ideally the one your broker issued (not a photo or scan).",
    ),
    GapInfo(
        "document_needs_review",
        "A document needs a person to check it",
        "Part of a document was hard to read, so a person will confirm it before it counts.",
        "Gapline never treats a guess as proof of insurance.",
        "Nothing, usually; a clearer copy of the certificate speeds it up.",
    ),
    GapInfo(
        "value_unreadable",
        "A value could not be read",
        "A value the GC needs (a limit, date, box or name) was blank or could not be read reliably.",
        "Gapline never treats a guess as proof of insurance.",
        "A clear certificate with every required value filled in.",
    ),
)

CATALOGUE: dict[str, GapInfo] = {entry.code: entry for entry in _ENTRIES}

_LINE_MISSING = {
    "general_liability": "general_liability_missing",
    "automobile_liability": "auto_missing",
    "umbrella_liability": "umbrella_missing",
    "workers_compensation": "workers_comp_missing",
}

MISSING_CODES = frozenset(_LINE_MISSING.values())

_LIMIT_BELOW = {
    ("general_liability", "each_occurrence"): "gl_each_occurrence_below",
    ("general_liability", "general_aggregate"): "gl_general_aggregate_below",
    ("general_liability", "products_completed_operations_aggregate"): "gl_products_completed_ops_below",
    ("automobile_liability", "combined_single_limit"): "auto_combined_single_limit_below",
    ("umbrella_liability", "each_occurrence"): "umbrella_each_occurrence_below",
    ("umbrella_liability", "aggregate"): "umbrella_aggregate_below",
    ("workers_compensation", "el_each_accident"): "el_each_accident_below",
    ("workers_compensation", "el_disease_each_employee"): "el_disease_each_employee_below",
    ("workers_compensation", "el_disease_policy_limit"): "el_disease_policy_limit_below",
}


def gap_info(code: str) -> GapInfo:
    """The catalogue entry for ``code`` (KeyError for an unknown code)."""
    return CATALOGUE[code]


def all_gap_infos() -> list[GapInfo]:
    """Every catalogue entry, in catalogue order."""
    return list(_ENTRIES)


def missing_code(line: str) -> str:
    """The gap code for a required coverage line that is absent."""
    return _LINE_MISSING[line]


def limit_code(line: str, limit: str) -> str:
    """The gap code for a limit below its minimum."""
    return _LIMIT_BELOW[(line, limit)]
