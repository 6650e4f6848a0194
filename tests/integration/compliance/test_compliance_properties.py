"""Properties of the engine over many generated submissions (hypothesis)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from integration.compliance import Outcome, RequirementSet, Status
from tests.integration.compliance.compliance_factories import certificate, requirements, run

GL, AUTO, UMB, WC = "general_liability", "automobile_liability", "umbrella_liability", "workers_compensation"
LIMITS = {
    GL: ("each_occurrence", "general_aggregate", "products_completed_operations_aggregate"),
    AUTO: ("combined_single_limit",),
    UMB: ("each_occurrence", "aggregate"),
    WC: ("el_each_accident", "el_disease_each_employee", "el_disease_policy_limit"),
}
FORMS = ("CG 20 10", "CG 20 37", "CG 20 01", "CG 24 04", "CG 25 03", "CA 20 48", "CA 04 44", "WC 00 03 13")
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, database=None)

amounts = st.one_of(
    st.none(), st.sampled_from([0, 499_999, 999_999, 1_000_000, 2_000_000, 5_000_000]), st.integers(0, 12_000_000)
)
tristate = st.sampled_from([True, False, None])
dates = st.sampled_from(["2025-06-01", "2026-01-01", "2026-03-15", "2026-04-10", "2026-12-31", "2027-01-01", None])


@st.composite
def submissions(draw: st.DrawFn) -> dict[str, Any]:
    """The fixture certificate with any of its values, pages, flags and confidences changed."""
    cert = certificate()
    rows = [row for row in cert["policies"] if draw(st.booleans()) or row["line"] == GL]
    for row in rows:
        for limit in LIMITS[row["line"]]:
            row["limits"][limit] = draw(amounts)
        for flag in ("additional_insured", "subrogation_waived", "occurrence", "statutory"):
            row[flag] = draw(tristate)
        row["aggregate_applies_per"] = draw(st.sampled_from(["project", "policy", None]))
        row["effective_date"], row["expiration_date"] = draw(dates), draw(dates)
    cert["policies"] = rows
    cert["fields"] = {k: v for k, v in cert["fields"].items() if not k.startswith(("policies.", "endorsements."))}
    cert["fields"]["policies.0.limits.each_occurrence"] = {"confidence": draw(st.floats(0, 1)), "page": 1}
    cert["endorsements"] = [
        {"form": f, "edition": "04 13", "page": 2} for f in sorted(draw(st.sets(st.sampled_from(FORMS))))
    ]
    cert["needs_review"] = draw(st.booleans())
    cert["named_insured"]["name"] = draw(st.sampled_from(["Acme Drywall LLC", "Acme Drywall Inc", "Other Co", None]))
    return cert


@st.composite
def requirement_sets(draw: st.DrawFn) -> RequirementSet:
    """The fixture set with the settings that change how checks behave drawn at random."""
    return requirements(
        settings={"umbrella_stacking": draw(st.booleans()), "endorsement_copies_required": draw(st.booleans())}
    )


@st.composite
def overrides(draw: st.DrawFn, rs: RequirementSet) -> list[dict[str, Any]]:
    keys = draw(st.lists(st.sampled_from(rs.keys()), max_size=6, unique=True))
    expiry = st.sampled_from([None, "2026-03-15", "2026-06-01"])
    return [
        {
            "gap_key": key,
            "kind": draw(st.sampled_from(["waive", "mark_compliant"])),
            "reason": "test",
            "vendor_id": "v-acme",
            "expires_on": draw(expiry),
        }
        for key in keys
    ]


@PROPERTY_SETTINGS
@given(st.data())
def test_never_compliant_while_a_requirement_is_unmet(data: st.DataObject) -> None:
    rs = data.draw(requirement_sets())
    evaluation = run(data.draw(submissions()), rs, overrides=data.draw(overrides(rs)))
    unmet = [result for result in evaluation.results if not result.satisfied]
    assert (evaluation.status in (Status.COMPLIANT, Status.WAIVED)) is (not unmet)
    assert all(result.shortfall is not None for result in unmet)


@PROPERTY_SETTINGS
@given(st.data())
def test_raising_a_limit_never_turns_a_pass_into_a_fail(data: st.DataObject) -> None:
    rs, before = data.draw(requirement_sets()), data.draw(submissions())
    candidates = [
        (i, limit)
        for i, row in enumerate(before["policies"])
        for limit in LIMITS[row["line"]]
        if isinstance(row["limits"][limit], int)
    ]
    if not candidates:
        return
    index, limit = data.draw(st.sampled_from(candidates))
    after = copy.deepcopy(before)
    after["policies"][index]["limits"][limit] += data.draw(st.integers(1, 10_000_000))
    old, new = run(before, rs), run(after, rs)
    for was, now in zip(old.results, new.results, strict=True):
        assert not (was.outcome is Outcome.PASS and now.outcome is not Outcome.PASS), was.key


@PROPERTY_SETTINGS
@given(st.data())
def test_an_override_only_removes_the_gap_it_names(data: st.DataObject) -> None:
    rs, cert = data.draw(requirement_sets()), data.draw(submissions())
    plain = run(cert, rs)
    if not plain.gaps:
        return
    target = data.draw(st.sampled_from(plain.gaps))
    kind = data.draw(st.sampled_from(["waive", "mark_compliant"]))
    overridden = run(cert, rs, overrides=[{"gap_key": target.key, "kind": kind, "reason": "r", "vendor_id": "v-acme"}])
    for was, now in zip(plain.gaps, overridden.gaps, strict=True):
        assert now.override is None if was.key != target.key else now.override is not None and now.override.kind == kind
        assert (now.key, now.code, now.outcome, now.requirement_keys) == (was.key, was.code, was.outcome,
                                                                          was.requirement_keys)
    for was, now in zip(plain.results, overridden.results, strict=True):
        if was.key in target.requirement_keys:
            assert now.satisfied and (now.outcome, now.shortfall) == (was.outcome, was.shortfall)
        else:
            assert now == was
    assert [g.key for g in overridden.open_gaps()] == [g.key for g in plain.open_gaps() if g.key != target.key]
