"""Shipped starting points and how sets resolve: company default <- trade tier <- project override.

Tiers and project overrides are JSON merge patches (RFC 7386) over the company default's JSON form:
a key that is present replaces the inherited value, an object merges key by key, and ``null``
removes what was inherited (for example ``{"lines": {"umbrella_liability": null}}``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from integration.compliance.requirements import RequirementSet, RequirementSetError

STARTING_POINT_NOTE = "A starting point, to be confirmed by your broker or counsel before you rely on it."

_GL_ENDORSEMENTS = {
    "occurrence_basis": True,
    "additional_insured": True,
    "additional_insured_completed_ops": True,
    "waiver_of_subrogation": True,
    "primary_noncontributory": True,
}

# The standard-trades set: also the company default.
COMPANY_DEFAULT: dict[str, Any] = {
    "schema_version": 1,
    "name": "Company default",
    "note": STARTING_POINT_NOTE,
    "settings": {"endorsement_copies_required": True, "min_insurer_rating": "A-", "min_financial_size_class": "VII"},
    "lines": {
        "general_liability": {
            "limits": {
                "each_occurrence": 1_000_000,
                "general_aggregate": 2_000_000,
                "products_completed_operations_aggregate": 2_000_000,
            },
            "per_project_aggregate": True,
            **_GL_ENDORSEMENTS,
        },
        "automobile_liability": {
            "limits": {"combined_single_limit": 1_000_000},
            "additional_insured": True,
            "waiver_of_subrogation": True,
        },
        "umbrella_liability": {
            "limits": {"each_occurrence": 5_000_000, "aggregate": 5_000_000},
            "additional_insured": True,
            "primary_noncontributory": True,
        },
        "workers_compensation": {
            "limits": {
                "el_each_accident": 1_000_000,
                "el_disease_each_employee": 1_000_000,
                "el_disease_policy_limit": 1_000_000,
            },
            "statutory": True,
            "waiver_of_subrogation": True,
        },
    },
    "certificate_holder": None,
    "named_insured_must_match": True,
}

TIERS: dict[str, dict[str, Any]] = {
    "light": {  # T1: painting, flooring, cleaning, delivery, consultants on site
        "name": "Light trades",
        "lines": {
            "general_liability": {"per_project_aggregate": False},
            "umbrella_liability": {"limits": {"each_occurrence": 2_000_000, "aggregate": 2_000_000}},
        },
    },
    "standard": {"name": "Standard trades"},  # T2: the default for new projects
    "high_risk": {  # T3: roofing, demolition, steel, cranes, excavation, electrical, MEP, concrete...
        "name": "High-risk trades",
        "lines": {
            "general_liability": {
                "limits": {
                    "each_occurrence": 2_000_000,
                    "general_aggregate": 4_000_000,
                    "products_completed_operations_aggregate": 4_000_000,
                }
            },
            "umbrella_liability": {"limits": {"each_occurrence": 10_000_000, "aggregate": 10_000_000}},
        },
    },
}


def merge_patch(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with the JSON merge patch ``patch`` applied (neither argument is changed)."""
    merged = copy.deepcopy(dict(base))
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_patch(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def merge(base: RequirementSet, *patches: Mapping[str, Any] | None) -> RequirementSet:
    """``base`` with each patch applied in turn, validated; RequirementSetError names bad fields."""
    data = base.to_dict()
    for patch in patches:
        if patch is not None and not isinstance(patch, Mapping):
            raise RequirementSetError([f"(patch): must be a JSON object, got {type(patch).__name__}"])
        data = merge_patch(data, patch or {})
    return RequirementSet.from_dict(data)


def tier_patch(tier: str) -> dict[str, Any]:
    """The shipped patch for ``tier`` (light, standard, high_risk); RequirementSetError if unknown."""
    if tier not in TIERS:
        raise RequirementSetError([f"tier: unknown tier {tier!r}; expected one of {', '.join(TIERS)}"])
    return copy.deepcopy(TIERS[tier])


def resolve(
    company_default: RequirementSet,
    tier: str | Mapping[str, Any] | None = None,
    project_override: Mapping[str, Any] | None = None,
) -> RequirementSet:
    """The effective set for an assignment: company default <- tier <- project override."""
    patch = tier_patch(tier) if isinstance(tier, str) else tier
    return merge(company_default, patch, project_override)


def company_default() -> RequirementSet:
    """The shipped company default (the standard-trades starting point)."""
    return RequirementSet.from_dict(COMPANY_DEFAULT)


def starting_point(tier: str) -> RequirementSet:
    """A shipped starting point for ``tier``, labelled for the GC's broker to confirm."""
    return resolve(company_default(), tier)


# Which shipped tier a Procore trade name suggests, matched on words in
# the name; a trade that matches nothing is a standard trade. A starting point, like the tiers themselves.
TRADE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "high_risk": ("roof", "demolition", "steel", "erection", "crane", "rigging", "excavat", "shoring",
                  "electric", "mechanical", "plumb", "hvac", "mep", "elevator", "curtain", "concrete",
                  "fire protection", "sprinkler", "glazing"),
    "light": ("paint", "floor", "clean", "janitor", "delivery", "consult", "survey"),
}
TIER_ORDER = ("light", "standard", "high_risk")  # least to most demanding


def tier_for_trade(trade: str) -> str:
    """The shipped tier a trade name suggests: high_risk, light, or standard."""
    name = trade.lower()
    for tier in ("high_risk", "light"):
        if any(word in name for word in TRADE_KEYWORDS[tier]):
            return tier
    return "standard"


def tier_for_trades(trades: list[str]) -> str | None:
    """The most demanding tier among a vendor's trades (None when it lists no trade)."""
    tiers = [tier_for_trade(t) for t in trades if t and t.strip()]
    return max(tiers, key=TIER_ORDER.index) if tiers else None
