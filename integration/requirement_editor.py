"""The requirement-set editor's core: which sets exist, the form's fields, and a submitted form as a set.

A tier or project set is stored as a JSON merge patch over the company default (integration.compliance.tiers):
only what the admin changed from the default is kept, so a later change to the default still reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from integration.compliance.requirement_schema import LIMIT_KEYS, LINE_FLAGS, LINES, RequirementSetError
from integration.compliance.requirements import RequirementSet as EngineSet
from integration.compliance.tiers import TIER_ORDER, TIERS
from integration.compliance.wording import LIMITS, coverage
from integration.extensions import db
from integration.models import Project
from integration.requirement_sets import default_set, effective_set
from integration.tenancy import scoped

FLAG_WORDS = {
    "occurrence_basis": "Occurrence basis (not claims-made)",
    "per_project_aggregate": "Aggregate applies per project",
    "additional_insured": "GC named additional insured",
    "additional_insured_completed_ops": "Additional insured for completed operations",
    "waiver_of_subrogation": "Waiver of subrogation",
    "primary_noncontributory": "Primary and non-contributory",
    "statutory": "Statutory limits",
}
SETTING_FIELDS = ("settings.min_days_before_expiry", "settings.min_insurer_rating",
                  "settings.endorsement_copies_required")


@dataclass(frozen=True)
class SetScope:
    """Which set is edited: the company default, a trade tier, or one project's set."""

    kind: str  # default | tier | project
    tier: str | None = None
    project: Project | None = None

    @property
    def label(self) -> str:
        """The set's name as the page shows it."""
        if self.kind == "tier":
            return TIERS[self.tier]["name"]
        if self.kind == "project":
            number = f" ({self.project.project_number})" if self.project.project_number else ""
            return f"Project {self.project.name}{number}"
        return "Company default"

    @property
    def project_id(self) -> int | None:
        """The project's row id for a project set."""
        return self.project.id if self.project else None


def scopes(company_id: int) -> list[SetScope]:
    """Every set an admin can edit: the default, each trade tier, each active project."""
    projects = db.session.scalars(scoped(Project, company_id).where(Project.active.is_(True)).order_by(Project.name))
    return [SetScope("default"), *(SetScope("tier", tier) for tier in TIER_ORDER),
            *(SetScope("project", project=project) for project in projects)]


def project_scope(company_id: int, procore_project_id: int) -> SetScope | None:
    """The set of the company's project with this Procore id; None for a foreign or unknown project."""
    project = db.session.scalar(scoped(Project, company_id).where(Project.procore_project_id == procore_project_id))
    return SetScope("project", project=project) if project else None


def current_body(company_id: int, scope: SetScope) -> dict[str, Any]:
    """What the form starts from: the set in effect for this scope, as JSON."""
    if scope.kind == "default":
        return default_set(company_id)[1].to_dict()
    return effective_set(company_id, scope.project_id, scope.tier).to_dict()


def form_lines(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each coverage line with its fields, for the template."""
    lines = body.get("lines", {})
    return [{"line": line, "name": coverage(line).capitalize(), "required": line in lines,
             "limits": [(key, LIMITS[key], lines.get(line, {}).get("limits", {}).get(key)) for key in LIMIT_KEYS[line]],
             "flags": [(flag, FLAG_WORDS[flag], bool(lines.get(line, {}).get(flag))) for flag in LINE_FLAGS[line]]}
            for line in LINES]


def body_from_form(start: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """The set the submitted form describes; RequirementSetError names each bad field, in the form's words."""
    errors: list[str] = []
    body = {**start, "lines": {}, "settings": dict(start.get("settings", {}))}
    for line in LINES:
        if form.get(f"{line}.required") != "on":
            continue
        limits = {}
        for key in LIMIT_KEYS[line]:
            amount = _money(form.get(f"{line}.limits.{key}", ""), f"{coverage(line).capitalize()}, {LIMITS[key]}",
                            errors)
            if amount is not None:
                limits[key] = amount
        body["lines"][line] = {"limits": limits, **{flag: form.get(f"{line}.{flag}") == "on"
                                                    for flag in LINE_FLAGS[line]}}
    body["settings"].update(_settings(form, errors))
    if errors:
        raise RequirementSetError(errors)
    EngineSet.from_dict(body)  # anything the form cannot express wrongly is still checked by the engine's rules
    return body


def _money(raw: str, label: str, errors: list[str]) -> int | None:
    text = re.sub(r"[$,\s]", "", raw or "")
    if text == "":
        return None
    if not text.isdigit() or int(text) <= 0:
        errors.append(f"{label}: enter a whole dollar amount above zero such as 1,000,000, or leave it empty; "
                      f"got {raw.strip()!r}")
        return None
    return int(text)


def _settings(form: Mapping[str, str], errors: list[str]) -> dict[str, Any]:
    days = (form.get("settings.min_days_before_expiry") or "0").strip()
    rating = (form.get("settings.min_insurer_rating") or "").strip().upper() or None
    if not days.isdigit() or int(days) > 365:
        errors.append(f"Days a policy must still run: enter a whole number from 0 to 365; got {days!r}")
        days = "0"
    if rating and not re.fullmatch(r"A\+\+|A\+|A-?|B\+\+|B\+|B-?", rating):
        errors.append(f"Lowest AM Best rating: enter a rating such as A- or B+, or leave it empty; got {rating!r}")
    return {"min_days_before_expiry": int(days), "min_insurer_rating": rating,
            "endorsement_copies_required": form.get("settings.endorsement_copies_required") == "on"}


def as_stored(company_id: int, scope: SetScope, body: dict[str, Any]) -> dict[str, Any]:
    """What is saved for the scope: the whole set for the default, else a patch of what differs from it."""
    if scope.kind == "default":
        return body
    return diff_patch(default_set(company_id)[1].to_dict(), {**body, "name": scope.label})


def diff_patch(base: Mapping[str, Any], target: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON merge patch that turns ``base`` into ``target`` (keys gone from target become null)."""
    patch: dict[str, Any] = {key: None for key in base if key not in target}
    for key, value in target.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            inner = diff_patch(base[key], value)
            if inner:
                patch[key] = inner
        elif base.get(key, object()) != value:
            patch[key] = value
    return patch
