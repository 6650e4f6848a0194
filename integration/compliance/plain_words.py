"""A requirement set in plain words, for the subcontractor and their broker (request emails, upload pages)."""

from __future__ import annotations

from dataclasses import dataclass

from integration.compliance.requirement_schema import LIMIT_KEYS
from integration.compliance.requirements import RequirementSet
from integration.compliance.wording import LIMITS, coverage, dollars

FLAG_WORDS = {
    "occurrence_basis": "written on an occurrence basis (not claims-made)",
    "per_project_aggregate": "the aggregate applies per project (CG 25 03 or equal)",
    "additional_insured": "names us as additional insured, with the endorsement page",
    "additional_insured_completed_ops": "additional insured for completed operations too (CG 20 37 or equal)",
    "waiver_of_subrogation": "waiver of subrogation in our favor, with the endorsement page",
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
        limits = tuple(f"{dollars(spec.limits[key])} {LIMITS[key]}" for key in LIMIT_KEYS[line] if key in spec.limits)
        conditions = tuple(FLAG_WORDS[flag] for flag in FLAG_WORDS if flag in spec.flags)
        described.append(RequiredLine(coverage(line).capitalize(), limits, conditions))
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
