"""Build the `policies` list from readings of the coverage grid, with one confidence per value."""

from __future__ import annotations

import re
from collections.abc import Callable

from integration.extraction.fields import LINES, OTHER_DESCRIPTION, OTHER_LIMITS, LineSpec, Reading, Readings
from integration.extraction.normalize import (
    clean_text,
    is_non_amount,
    parse_amount,
    parse_date,
    parse_flag,
    parse_letter,
)

DOUBT = 0.3  # confidence given to a value the page contradicts (two boxes ticked, dates reversed ...)
Record = Callable[[str, float], None]  # record(path suffix, confidence)

_GL_PER = {"policy": "GeneralLiability_GeneralAggregate_LimitAppliesPerPolicyIndicator_A",
           "project": "GeneralLiability_GeneralAggregate_LimitAppliesPerProjectIndicator_A",
           "location": "GeneralLiability_GeneralAggregate_LimitAppliesPerLocationIndicator_A",
           "other": "GeneralLiability_GeneralAggregate_LimitAppliesToOtherIndicator_A"}
_OCCURRENCE = {"general_liability": ("GeneralLiability_OccurrenceIndicator_A",
                                     "GeneralLiability_ClaimsMadeIndicator_A"),
               "umbrella_liability": ("ExcessUmbrella_OccurrenceIndicator_A", "ExcessUmbrella_ClaimsMadeIndicator_A")}
_OTHER_LABELS = (("AGGREGATE", "aggregate"), ("DEDUCTIBLE", "deductible_or_retention"),
                 ("RETENTION", "deductible_or_retention"), ("EACH", "each_occurrence"), ("PER", "each_occurrence"),
                 ("ANY ONE", "each_occurrence"), ("OCCURRENCE", "each_occurrence"), ("LIMIT", "each_occurrence"))


def _text(readings: Readings, name: str | None) -> tuple[str | None, float]:
    reading = readings.get(name or "")
    if reading is None or not isinstance(reading.value, str):
        return None, 1.0 if reading is None else reading.confidence
    return clean_text(reading.value), reading.confidence


def _box(readings: Readings, name: str) -> tuple[bool, float]:
    reading = readings.get(name, Reading(False, 1.0))
    return bool(reading.value), reading.confidence


def _filled(readings: Readings, spec: LineSpec) -> bool:
    """A row is on the certificate when it shows a policy number, a date or an amount, not stray marks."""
    number = _text(readings, spec.number)[0] or ""
    dates = [parse_date(_text(readings, n)[0]) for n in (spec.effective, spec.expiration)]
    amounts = [parse_amount(_text(readings, n)[0]) for n in spec.limits.values()]
    return sum(ch.isalnum() for ch in number) >= 4 or any(dates) or any(a is not None for a in amounts)


def read_rows(readings: Readings, method: str, letters: set[str], record: Callable[[str, float], None]) -> list[dict]:
    """One policy dict per filled row; `record(path, confidence)` receives each value's confidence."""
    policies = []
    for spec in LINES:
        if not _filled(readings, spec):
            continue
        index = len(policies)
        policies.append(_row(readings, spec, method, letters, lambda key, c, i=index: record(f"policies.{i}.{key}", c)))
    return policies


def _row(readings: Readings, spec: LineSpec, method: str, letters: set[str], record: Record) -> dict:
    policy: dict = {"line": spec.line, "description": None, "insurer_letter": None, "policy_number": None,
                    "effective_date": None, "expiration_date": None, "additional_insured": None,
                    "subrogation_waived": None, "occurrence": None, "aggregate_applies_per": None, "any_auto": None,
                    "statutory": None, "limits": {}}
    record("line", _line(readings, spec, policy))
    text, conf = _text(readings, spec.letter)
    letter = parse_letter(text)
    policy["insurer_letter"] = letter if letter in letters else None
    record("insurer_letter", conf if policy["insurer_letter"] else 0.0)
    number, conf = _text(readings, spec.number)
    policy["policy_number"] = number.rstrip(".,") if number else number  # a speck after the number reads as a stop
    record("policy_number", conf if policy["policy_number"] else 0.0)
    _dates(readings, spec, method, policy, record)
    for key, name in (("additional_insured", spec.additional_insured), ("subrogation_waived", spec.subrogation_waived)):
        if name:
            text, conf = _text(readings, name)
            policy[key] = parse_flag(text)
            record(key, conf if policy[key] is not None else 0.0)
    _boxes(readings, spec, policy, record)
    limits = dict(spec.limits)
    if spec.line == "other":
        policy["description"], conf = _text(readings, OTHER_DESCRIPTION)
        record("description", conf)
        limits = _other_limits(readings)
    for key, name in limits.items():
        text, conf = _text(readings, name)
        if text:
            value = parse_amount(text)
            if value is not None and method == "ocr" and (value % 1000 or value < 1000 or _dollar_as_digit(text)):
                conf = min(conf, 0.6)  # limits are round thousands; odd digits or a bare 0 smell of a misread
            policy["limits"][key] = value
            record(f"limits.{key}", conf if value is not None or is_non_amount(text) else 0.0)
    return policy


def _dollar_as_digit(text: str) -> bool:
    """`35,000` may be `$5,000` with the dollar sign read as a digit: a leading 3/5/8 before a valid amount."""
    t = text.strip()
    return bool(re.fullmatch(r"[358][1-9]\d{0,2}([,.]\d{3})+", t))


def _line(readings: Readings, spec: LineSpec, policy: dict) -> float:
    if spec.line != "umbrella_liability":
        return 1.0
    umbrella, c1 = _box(readings, "Policy_PolicyType_UmbrellaIndicator_A")
    excess, c2 = _box(readings, "Policy_PolicyType_ExcessIndicator_A")
    if umbrella == excess:  # neither or both ticked: the row's kind is unknown
        return DOUBT
    policy["line"] = "umbrella_liability" if umbrella else "excess_liability"
    return min(c1, c2)


def _dates(readings: Readings, spec: LineSpec, method: str, policy: dict, record: Record) -> None:
    (eff_text, c1), (exp_text, c2) = _text(readings, spec.effective), _text(readings, spec.expiration)
    eff, exp = parse_date(eff_text), parse_date(exp_text)
    c1, c2 = (c1 if eff else 0.0), (c2 if exp else 0.0)
    if eff and exp and eff >= exp:
        c1, c2 = min(c1, DOUBT), min(c2, DOUBT)
    elif eff and exp and method == "ocr" and not 364 <= (exp - eff).days <= 367:
        c1, c2 = min(c1, 0.5), min(c2, 0.5)  # scanned terms are checked against the usual one-year term
    policy["effective_date"] = eff.isoformat() if eff else None
    policy["expiration_date"] = exp.isoformat() if exp else None
    record("effective_date", c1)
    record("expiration_date", c2)


def _boxes(readings: Readings, spec: LineSpec, policy: dict, record: Record) -> None:
    if spec.line in _OCCURRENCE:
        (occur, c1), (claims, c2) = (_box(readings, n) for n in _OCCURRENCE[spec.line])
        policy["occurrence"] = None if occur == claims else occur
        record("occurrence", DOUBT if occur and claims else min(c1, c2))
    if spec.line == "general_liability":
        ticked = [(per, _box(readings, n)) for per, n in _GL_PER.items()]
        chosen = [per for per, (on, _) in ticked if on]
        policy["aggregate_applies_per"] = chosen[0] if len(chosen) == 1 else None
        record("aggregate_applies_per", DOUBT if len(chosen) > 1 else min(c for _, (_, c) in ticked))
    if spec.line == "automobile_liability":
        policy["any_auto"], conf = _box(readings, "Vehicle_AnyAutoIndicator_A")
        record("any_auto", conf)
    if spec.line == "workers_compensation":
        name = "WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A"
        policy["statutory"], conf = _box(readings, name)
        record("statutory", conf)


def _other_limits(readings: Readings) -> dict[str, str]:
    """Map the other row's printed limit labels (EACH CLAIM, AGGREGATE ...) to contract keys."""
    limits: dict[str, str] = {}
    for label_field, amount_field in OTHER_LIMITS:
        label = (_text(readings, label_field)[0] or "").upper()
        key = next((k for word, k in _OTHER_LABELS if word in label), None)
        if key and key not in limits:
            limits[key] = amount_field
    return limits
