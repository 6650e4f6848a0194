"""The catalogue of coverage-gap codes: one plain-language entry per code.

It feeds request e-mails, the compliance screens and the public Insurance Guide, so every entry
is written for a subcontractor and their broker, not for an insurance lawyer.
"""

from __future__ import annotations

from dataclasses import dataclass

from integration.compliance.wording import COVERAGES


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


_ENDORSEMENT_NOTE = "A mark on the certificate is only a claim; the endorsement page is the proof."

_ENTRIES = (
    # --- coverage lines -------------------------------------------------------------------------
    GapInfo(
        "general_liability_missing",
        "General liability is missing",
        "No commercial general liability policy was found in the documents you sent.",
        "General liability pays for injury and property damage your work causes to others on site.",
        "Ask your broker for a certificate (ACORD 25) showing your commercial general liability policy.",
    ),
    GapInfo(
        "auto_missing",
        "Auto liability is missing",
        "No business auto liability policy was found in the documents you sent.",
        "Vehicles driven to, from and around the site cause some of the most serious claims.",
        "Ask your broker for a certificate showing your business auto policy (any auto, or hired and non-owned "
        "autos).",
    ),
    GapInfo(
        "umbrella_missing",
        "Umbrella or excess liability is missing",
        "No umbrella or excess liability policy was found in the documents you sent.",
        "Large construction losses go beyond the limits of the other policies; the umbrella pays on top of them.",
        "Ask your broker for a certificate showing your umbrella or excess liability policy and its limits.",
    ),
    GapInfo(
        "workers_comp_missing",
        "Workers' compensation is missing",
        "No workers' compensation and employers liability policy was found in the documents you sent.",
        "Without it, an injured worker of yours may look to the general contractor's own policy.",
        "Ask your broker for a certificate showing your workers' compensation policy, or send the state's "
        "exemption form.",
    ),
    # --- limits ---------------------------------------------------------------------------------
    GapInfo(
        "gl_each_occurrence_below",
        "General liability each-occurrence limit is too low",
        "The EACH OCCURRENCE amount for general liability is less than the subcontract requires.",
        "It is the most the policy pays for any one accident.",
        "Ask your broker for a certificate showing the required each-occurrence limit (or an umbrella that makes "
        "up the difference, if the general contractor allows that).",
    ),
    GapInfo(
        "gl_general_aggregate_below",
        "General liability aggregate is too low",
        "The GENERAL AGGREGATE amount is less than the subcontract requires.",
        "It is the most the policy pays in a policy year, for every job you do together.",
        "Ask your broker for a certificate showing the required general aggregate limit.",
    ),
    GapInfo(
        "gl_products_completed_ops_below",
        "Products and completed operations aggregate is too low",
        "The PRODUCTS - COMP/OP AGG amount is less than the subcontract requires.",
        "It pays for claims that come after your work is finished, including those against the general "
        "contractor as an additional insured.",
        "Ask your broker for a certificate showing the required products and completed operations aggregate.",
    ),
    GapInfo(
        "auto_combined_single_limit_below",
        "Auto liability limit is too low",
        "The auto COMBINED SINGLE LIMIT is less than the subcontract requires.",
        "It is the most the auto policy pays for one accident.",
        "Ask your broker for a certificate showing the required combined single limit.",
    ),
    GapInfo(
        "umbrella_each_occurrence_below",
        "Umbrella each-occurrence limit is too low",
        "The umbrella or excess EACH OCCURRENCE amount is less than the subcontract requires.",
        "The umbrella is what pays for a serious loss once the other policies' limits are used up.",
        "Ask your broker for a certificate showing the required umbrella or excess each-occurrence limit.",
    ),
    GapInfo(
        "umbrella_aggregate_below",
        "Umbrella aggregate is too low",
        "The umbrella or excess AGGREGATE amount is less than the subcontract requires.",
        "It is the most the umbrella pays in a policy year.",
        "Ask your broker for a certificate showing the required umbrella or excess aggregate limit.",
    ),
    GapInfo(
        "el_each_accident_below",
        "Employers liability each-accident limit is too low",
        "The E.L. EACH ACCIDENT amount is less than the subcontract requires.",
        "Employers liability answers lawsuits over workplace injuries that workers' compensation does not cover.",
        "Ask your broker for a certificate showing the required employers liability each-accident limit.",
    ),
    GapInfo(
        "el_disease_each_employee_below",
        "Employers liability disease limit (each employee) is too low",
        "The E.L. DISEASE - EA EMPLOYEE amount is less than the subcontract requires.",
        "It caps what the policy pays for one employee's work-related illness.",
        "Ask your broker for a certificate showing the required disease limit for each employee.",
    ),
    GapInfo(
        "el_disease_policy_limit_below",
        "Employers liability disease limit (whole policy) is too low",
        "The E.L. DISEASE - POLICY LIMIT amount is less than the subcontract requires.",
        "It caps what the policy pays for all work-related illness in a policy year.",
        "Ask your broker for a certificate showing the required disease policy limit.",
    ),
    # --- form of coverage -----------------------------------------------------------------------
    GapInfo(
        "workers_comp_not_statutory",
        "Workers' compensation is not shown as statutory",
        "The PER STATUTE box is not ticked on the workers' compensation row.",
        "Statutory limits are what state law requires; anything else needs a closer look.",
        "Ask your broker for a certificate with PER STATUTE ticked on the workers' compensation row.",
    ),
    GapInfo(
        "claims_made_not_accepted",
        "Policy is claims-made, not occurrence",
        "The policy is written on a claims-made basis; the subcontract asks for an occurrence policy.",
        "An occurrence policy answers for injuries during the policy period even if the claim comes years later, "
        "which matters for construction defects.",
        "Ask your broker for an occurrence policy, shown with OCCUR ticked on the certificate.",
    ),
    # --- dates ----------------------------------------------------------------------------------
    GapInfo(
        "policy_expired",
        "Policy has expired",
        "The policy has reached its expiration date. A policy stops covering on that date: it covers nothing "
        "that happens on or after it.",
        "An expired policy pays nothing for anything that happens after it ends.",
        "Ask your broker for a certificate for the renewal policy, with its new dates.",
    ),
    GapInfo(
        "policy_expires_soon",
        "Policy expires soon",
        "The policy ends sooner than the general contractor's notice period.",
        "Renewal certificates take time to collect; the general contractor asks early so work is not interrupted.",
        "Ask your broker for the renewal certificate, or a letter confirming the renewal is bound.",
    ),
    GapInfo(
        "policy_not_in_force_for_work_window",
        "Policy does not cover your work dates",
        "The policy's dates do not cover the whole time you will be working on the project.",
        "Coverage must be in force for every day you are on site.",
        "Ask your broker for a certificate whose policy dates cover your work, or for the renewal certificate.",
    ),
    # --- endorsements ---------------------------------------------------------------------------
    GapInfo(
        "per_project_aggregate_not_shown",
        "Per-project aggregate is not shown",
        "The general aggregate is not shown as applying per project.",
        "Without it, claims on your other jobs can use up the limit meant for this one.",
        "Ask your broker for a certificate with PRO-JECT ticked and the per-project aggregate endorsement "
        "(CG 25 03 or the insurer's equivalent). " + _ENDORSEMENT_NOTE,
    ),
    GapInfo(
        "per_project_aggregate_unconfirmed",
        "Per-project aggregate does not name this project",
        "The per-project aggregate endorsement is attached, but nothing shows that its schedule names this "
        "project or applies to all of your projects.",
        "The endorsement only helps on the projects its schedule lists.",
        "Ask your broker to name the project (or \"all projects\") in the description of operations, or send the "
        "endorsement's schedule page.",
    ),
    GapInfo(
        "additional_insured_not_shown",
        "Additional insured status is not shown",
        "The general contractor (and others the subcontract names) are not shown as additional insureds.",
        "Additional insured status lets the general contractor claim directly under your policy for your work.",
        "Ask your broker for the additional insured endorsement (for example CG 20 10, or a blanket form such as "
        "CG 20 38) and a certificate with ADDL INSD marked. " + _ENDORSEMENT_NOTE,
    ),
    GapInfo(
        "additional_insured_completed_ops_missing",
        "Additional insured for completed work is missing",
        "Additional insured cover for completed operations is not shown; ongoing-only forms such as CG 20 10 "
        "(current editions) stop when your work is finished.",
        "Most construction claims arrive after the work is done.",
        "Ask your broker for the completed-operations additional insured endorsement (CG 20 37, or CG 20 40 or "
        "CG 20 39).",
    ),
    GapInfo(
        "waiver_of_subrogation_not_shown",
        "Waiver of subrogation is not shown",
        "The policy is not shown as waiving subrogation against the general contractor and others named.",
        "Without a waiver, your insurer can pay a claim and then sue the general contractor to get it back.",
        "Ask your broker for the waiver of subrogation endorsement for each policy asked for (CG 24 04 for "
        "general liability, CA 04 44 for auto, WC 00 03 13 for workers' compensation). " + _ENDORSEMENT_NOTE,
    ),
    GapInfo(
        "primary_noncontributory_not_shown",
        "Primary and non-contributory is not shown",
        "Nothing shows that your policy is primary and non-contributory for the additional insureds.",
        "It makes your policy pay first, without drawing on the general contractor's own insurance.",
        "Ask your broker for the primary and non-contributory endorsement (CG 20 01 or the insurer's equivalent).",
    ),
    GapInfo(
        "endorsement_copy_missing",
        "Endorsement page is missing",
        "The certificate claims an endorsement, but the endorsement page itself was not attached.",
        "The certificate does not change the policy; only the endorsement does.",
        "Ask your broker for a copy of the endorsement page named here, with its schedule or blanket wording.",
    ),
    GapInfo(
        "certificate_contradicts_endorsement",
        "Certificate and endorsement disagree",
        "An endorsement page is attached, but the certificate's own box says otherwise. The certificate and the "
        "endorsement disagree, so a person must check which is right.",
        "An error on either document can leave the general contractor without the cover it was promised.",
        "Ask your broker to re-issue the certificate so it matches the endorsement (or to confirm which is right).",
    ),
    # --- parties --------------------------------------------------------------------------------
    GapInfo(
        "holder_mismatch",
        "Certificate is not made out to the general contractor",
        "The certificate holder is not the general contractor's legal name.",
        "The holder is who the insurer's records tie this certificate to, and who is told if the policy changes.",
        "Ask your broker to re-issue the certificate with the general contractor's legal name as the certificate "
        "holder.",
    ),
    GapInfo(
        "named_insured_mismatch",
        "Named insured does not match your company",
        "The insured named on the certificate is not the company the general contractor contracted with.",
        "A policy only covers the company it names; a sister company's policy does not cover you.",
        "Ask your broker for a certificate naming your company exactly as it appears on the subcontract.",
    ),
    # --- insurer --------------------------------------------------------------------------------
    GapInfo(
        "insurer_rating_below",
        "Insurer's rating is below the minimum",
        "The insurer's A.M. Best rating is below what the subcontract requires.",
        "A well-rated insurer is more likely to be able to pay a large claim.",
        "Ask your broker to place the coverage with an insurer rated at or above the minimum.",
    ),
    GapInfo(
        "insurer_not_rated",
        "Insurer's rating could not be confirmed",
        "The insurer could not be matched to a rated insurer (its NAIC number is missing, or it is not listed).",
        "The general contractor checks the insurer's financial strength before relying on the policy.",
        "Ask your broker for a certificate showing each insurer's NAIC number; the general contractor will "
        "confirm the rating.",
    ),
    # --- input ----------------------------------------------------------------------------------
    GapInfo(
        "certificate_missing",
        "No certificate received",
        "No certificate of insurance has been received yet.",
        "The general contractor cannot let work start without proof of insurance.",
        "Send a current certificate of insurance (ACORD 25) and the endorsement pages the general contractor "
        "asked for.",
    ),
    GapInfo(
        "document_unreadable",
        "A document could not be read",
        "A document you sent could not be read as a certificate of insurance.",
        "The general contractor can only rely on documents it can read.",
        "Send a clear PDF of the certificate, ideally the one your broker issued (not a photo or a scan).",
    ),
    GapInfo(
        "document_needs_review",
        "A document needs a person to check it",
        "Part of a document was hard to read, so a person will check it before it counts.",
        "Gapline never treats a guess as proof of insurance.",
        "Nothing, usually; sending a clearer copy of the certificate speeds it up.",
    ),
    GapInfo(
        "value_unreadable",
        "A value could not be read",
        "A value the general contractor needs (an amount, a date, a box or a name) was blank or could not be read "
        "with confidence.",
        "Gapline never treats a guess as proof of insurance.",
        "Send a clear certificate with every required box filled in.",
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


# Codes that say the same about any coverage line: a gap's title names its line ("Auto liability: ...").
LINE_GENERIC = frozenset({
    "claims_made_not_accepted", "policy_expired", "policy_expires_soon", "policy_not_in_force_for_work_window",
    "additional_insured_not_shown", "waiver_of_subrogation_not_shown", "primary_noncontributory_not_shown",
    "endorsement_copy_missing", "certificate_contradicts_endorsement", "insurer_rating_below", "insurer_not_rated",
    "value_unreadable",
})


def gap_title(code: str, line: str | None) -> str:
    """A gap's title as people read it, naming the coverage line where the code alone does not."""
    title = gap_info(code).title
    if code in LINE_GENERIC and line in COVERAGES and line != "other":
        return f"{COVERAGES[line][0].upper()}{COVERAGES[line][1:]}: {title[0].lower()}{title[1:]}"
    return title


# The endorsement forms differ by coverage line, so what to send for these codes depends on the line.
_LINE_ASKS: dict[tuple[str, str], str] = {
    ("additional_insured_not_shown", "general_liability"):
        "Ask your broker for the additional insured endorsements (CG 20 10 for ongoing work with CG 20 37 for "
        "completed work, or a blanket form such as CG 20 38) and a certificate with ADDL INSD marked. "
        + _ENDORSEMENT_NOTE,
    ("additional_insured_not_shown", "automobile_liability"):
        "Ask your broker for the auto additional insured endorsement (CA 20 48, or a blanket auto additional insured "
        "endorsement) and a certificate with ADDL INSD marked on the auto liability row. " + _ENDORSEMENT_NOTE,
    ("additional_insured_not_shown", "umbrella_liability"):
        "Ask your broker to confirm the umbrella or excess policy follows form over the underlying additional "
        "insured endorsements, with ADDL INSD marked on the umbrella row.",
    ("additional_insured_not_shown", "excess_liability"):
        "Ask your broker to confirm the excess policy follows form over the underlying additional insured "
        "endorsements, with ADDL INSD marked on the excess row.",
    ("waiver_of_subrogation_not_shown", "general_liability"):
        "Ask your broker for the general liability waiver of subrogation endorsement (CG 24 04 or the insurer's "
        "equivalent) and a certificate with SUBR WVD marked. " + _ENDORSEMENT_NOTE,
    ("waiver_of_subrogation_not_shown", "automobile_liability"):
        "Ask your broker for the auto waiver of subrogation endorsement (CA 04 44 or the insurer's equivalent) and a "
        "certificate with SUBR WVD marked on the auto liability row. " + _ENDORSEMENT_NOTE,
    ("waiver_of_subrogation_not_shown", "workers_compensation"):
        "Ask your broker for the workers' compensation waiver of subrogation endorsement (WC 00 03 13) and a "
        "certificate with SUBR WVD marked on the workers' compensation row. " + _ENDORSEMENT_NOTE,
    ("waiver_of_subrogation_not_shown", "umbrella_liability"):
        "Ask your broker to confirm the umbrella or excess policy follows form over the underlying waivers of "
        "subrogation, with SUBR WVD marked on the umbrella row.",
    ("waiver_of_subrogation_not_shown", "excess_liability"):
        "Ask your broker to confirm the excess policy follows form over the underlying waivers of subrogation, "
        "with SUBR WVD marked on the excess row.",
    ("primary_noncontributory_not_shown", "umbrella_liability"):
        "Ask your broker to confirm the umbrella or excess policy follows form and is primary and non-contributory "
        "for the additional insureds, and to say so in the description of operations.",
    ("primary_noncontributory_not_shown", "excess_liability"):
        "Ask your broker to confirm the excess policy follows form and is primary and non-contributory for the "
        "additional insureds, and to say so in the description of operations.",
}


def gap_ask(code: str, line: str | None) -> str:
    """What to send for a gap on ``line``: the forms of that line (auto CA 20 48, umbrella follow-form, ...)."""
    return _LINE_ASKS.get((code, line or ""), gap_info(code).fix)


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
