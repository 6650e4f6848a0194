"""A requirement set in plain words, for the subcontractor and their broker (request emails, upload pages)."""

from __future__ import annotations

from dataclasses import dataclass

from integration.compliance.requirement_schema import LIMIT_KEYS
from integration.compliance.requirements import RequirementSet

LINE_TITLES = {
    "general_liability": "General liability",
    "automobile_liability": "Auto liability",
    "umbrella_liability": "Umbrella or excess liability",
    "workers_compensation": "Workers' compensation and employers' liability",
}
LIMIT_WORDS = {
    "each_occurrence": "each occurrence",
    "general_aggregate": "general aggregate",
    "products_completed_operations_aggregate": "products and completed operations aggregate",
    "combined_single_limit": "combined single limit",
    "aggregate": "aggregate",
    "el_each_accident": "employers' liability each accident",
    "el_disease_each_employee": "disease, each employee",
    "el_disease_policy_limit": "disease, policy limit",
}
FLAG_WORDS = {
    "occurrence_basis": "written on an occurrence basis (not claims-made)",
    "per_project_aggregate": "the aggregate applies per project (CG 25 03 or equal)",
    "additional_insured": "names us as additional insured, with the endorsement page",
    "additional_insured_completed_ops": "additional insured for completed operations too (CG 20 37 or equal)",
    "waiver_of_subrogation": "waiver of subrogation in our favour, with the endorsement page",
    "primary_noncontributory": "primary and non-contributory, with the endorsement page",
    "statutory": "statutory workers' compensation limits",
}


@dataclass(frozen=True)
class RequiredLine:
    """One required coverage line: its title, the minimum limits in words, and its conditions."""

    title: str
    limits: tuple[str, ...]
    conditions: tuple[str, ...]

    def to_dict(self) -> dict:
        """Plain-data form."""
        return {"title": self.title, "limits": list(self.limits), "conditions": list(self.conditions)}


def required_lines(requirements: RequirementSet) -> list[RequiredLine]:
    """Every required coverage line of the set, in the certificate's order, described for people."""
    described = []
    for line in LIMIT_KEYS:
        spec = requirements.lines.get(line)
        if spec is None:
            continue
        limits = tuple(f"${spec.limits[key]:,} {LIMIT_WORDS[key]}" for key in LIMIT_KEYS[line] if key in spec.limits)
        conditions = tuple(FLAG_WORDS[flag] for flag in FLAG_WORDS if flag in spec.flags)
        described.append(RequiredLine(LINE_TITLES[line], limits, conditions))
    return described


def certificate_notes(requirements: RequirementSet) -> list[str]:
    """What the certificate as a whole must show (holder, named insured, dates)."""
    notes = []
    if requirements.certificate_holder:
        notes.append(f"Certificate holder: {requirements.certificate_holder}")
    if requirements.named_insured_must_match:
        notes.append("The named insured is your company's legal name, exactly as on your subcontract")
    if requirements.settings.cover_work_window:
        notes.append("Every policy is in force for the whole time you work on the project")
    if requirements.settings.min_days_before_expiry:
        notes.append(f"No policy expires within {requirements.settings.min_days_before_expiry} days")
    if requirements.settings.min_insurer_rating:
        notes.append(f"Insurers rated {requirements.settings.min_insurer_rating} or better by AM Best")
    return notes
