"""Trades suggest a tier: the most demanding of a vendor's trades wins; unknown trades are standard."""

from __future__ import annotations

import pytest

from integration.compliance.tiers import tier_for_trade, tier_for_trades


@pytest.mark.parametrize(("trade", "tier"), [
    ("Roofing", "high_risk"), ("Demolition", "high_risk"), ("Structural Steel", "high_risk"),
    ("Electrical", "high_risk"), ("HVAC", "high_risk"), ("Plumbing", "high_risk"), ("Concrete", "high_risk"),
    ("Fire Protection", "high_risk"), ("Crane & Rigging", "high_risk"), ("Excavation", "high_risk"),
    ("Painting", "light"), ("Flooring", "light"), ("Final Cleaning", "light"), ("Delivery", "light"),
    ("Drywall", "standard"), ("Landscaping", "standard"), ("Millwork", "standard"),
])
def test_each_trade_suggests_its_tier(trade, tier):
    assert tier_for_trade(trade) == tier


def test_the_most_demanding_trade_wins():
    assert tier_for_trades(["Painting", "Drywall"]) == "standard"
    assert tier_for_trades(["Painting", "Roofing"]) == "high_risk"
    assert tier_for_trades(["Painting", "Flooring"]) == "light"
    assert tier_for_trades([]) is None and tier_for_trades(["  "]) is None
