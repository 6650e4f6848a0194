"""Validation of requirement-set JSON: every problem is reported with the path of its field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from integration.compliance.carriers import normalize_rating, normalize_size_class
from integration.refusals import Refusal

SCHEMA_VERSION = 1

LIMIT_KEYS: dict[str, tuple[str, ...]] = {
    "general_liability": ("each_occurrence", "general_aggregate", "products_completed_operations_aggregate"),
    "automobile_liability": ("combined_single_limit",),
    "umbrella_liability": ("each_occurrence", "aggregate"),
    "workers_compensation": ("el_each_accident", "el_disease_each_employee", "el_disease_policy_limit"),
}
LINE_FLAGS: dict[str, tuple[str, ...]] = {
    "general_liability": (
        "occurrence_basis",
        "per_project_aggregate",
        "additional_insured",
        "additional_insured_completed_ops",
        "waiver_of_subrogation",
        "primary_noncontributory",
    ),
    "automobile_liability": ("additional_insured", "waiver_of_subrogation"),
    "umbrella_liability": (
        "occurrence_basis",
        "additional_insured",
        "waiver_of_subrogation",
        "primary_noncontributory",
    ),
    "workers_compensation": ("statutory", "waiver_of_subrogation"),
}
LINES = tuple(LIMIT_KEYS)

SETTING_DEFAULTS: dict[str, Any] = {
    "endorsement_copies_required": True,
    "umbrella_stacking": False,
    "cover_work_window": True,
    "min_days_before_expiry": 0,
    "min_insurer_rating": None,  # absent or null: no minimum (a merge patch null removes it)
    "min_financial_size_class": None,
    "min_confidence": 0.8,
}
TOP_LEVEL = ("schema_version", "name", "note", "settings", "lines", "certificate_holder", "named_insured_must_match")


class RequirementSetError(Refusal, ValueError):
    """A requirement set is invalid; ``errors`` holds one ``field: problem`` message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("requirement set is invalid:\n" + "\n".join(errors))
        self.errors = errors


def validate(data: Any) -> dict[str, Any]:
    """A normalised copy of requirement-set ``data``, or RequirementSetError naming every bad field."""
    errors: list[str] = []
    if not isinstance(data, Mapping):
        raise RequirementSetError([f"(top level): must be a JSON object, got {_kind(data)}"])
    _unknown(data, TOP_LEVEL, "", errors)
    result = {
        "schema_version": _schema_version(data.get("schema_version"), errors),
        "name": _text(data.get("name"), "name", errors, required=True),
        "note": _text(data.get("note", ""), "note", errors) or "",
        "settings": _settings(data.get("settings", {}), errors),
        "lines": _lines(data.get("lines", {}), errors),
        "certificate_holder": _text(data.get("certificate_holder"), "certificate_holder", errors),
        "named_insured_must_match": _bool(
            data.get("named_insured_must_match", True), "named_insured_must_match", errors
        ),
    }
    if errors:
        raise RequirementSetError(errors)
    return result


def _schema_version(value: Any, errors: list[str]) -> int:
    if value != SCHEMA_VERSION or isinstance(value, bool):
        errors.append(f"schema_version: must be {SCHEMA_VERSION}, got {value!r}")
    return SCHEMA_VERSION


def _settings(value: Any, errors: list[str]) -> dict[str, Any]:
    if not _object(value, "settings", errors):
        return dict(SETTING_DEFAULTS)
    _unknown(value, tuple(SETTING_DEFAULTS), "settings.", errors)
    merged = {**SETTING_DEFAULTS, **value}
    checks: dict[str, Callable[[Any, str, list[str]], Any]] = {
        "endorsement_copies_required": _bool,
        "umbrella_stacking": _bool,
        "cover_work_window": _bool,
        "min_days_before_expiry": _days,
        "min_insurer_rating": _rating,
        "min_financial_size_class": _size_class,
        "min_confidence": _confidence,
    }
    return {key: check(merged[key], f"settings.{key}", errors) for key, check in checks.items()}


def _lines(value: Any, errors: list[str]) -> dict[str, Any]:
    if not _object(value, "lines", errors):
        return {}
    _unknown(value, LINES, "lines.", errors)
    return {line: _line(line, spec, errors) for line, spec in value.items() if line in LIMIT_KEYS}


def _line(line: str, spec: Any, errors: list[str]) -> dict[str, Any]:
    path = f"lines.{line}"
    if not _object(spec, path, errors):
        return {"limits": {}}
    _unknown(spec, ("limits", *LINE_FLAGS[line]), f"{path}.", errors)
    limits = spec.get("limits", {})
    result: dict[str, Any] = {"limits": {}}
    if _object(limits, f"{path}.limits", errors):
        _unknown(limits, LIMIT_KEYS[line], f"{path}.limits.", errors)
        result["limits"] = {
            key: _dollars(amount, f"{path}.limits.{key}", errors)
            for key, amount in limits.items()
            if key in LIMIT_KEYS[line] and amount is not None
        }
    for flag in LINE_FLAGS[line]:
        result[flag] = _bool(spec.get(flag, False), f"{path}.{flag}", errors)
    return result


def _unknown(value: Mapping[str, Any], allowed: tuple[str, ...], prefix: str, errors: list[str]) -> None:
    for key in value:
        if key not in allowed:
            errors.append(f"{prefix}{key}: unknown field; expected one of {', '.join(allowed)}")


def _object(value: Any, path: str, errors: list[str]) -> bool:
    if isinstance(value, Mapping):
        return True
    errors.append(f"{path}: must be an object, got {_kind(value)}")
    return False


def _bool(value: Any, path: str, errors: list[str]) -> bool:
    if not isinstance(value, bool):
        errors.append(f"{path}: must be true or false, got {value!r}")
    return bool(value)


def _text(value: Any, path: str, errors: list[str], required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(f"{path}: must be a non-empty string, got {value!r}")
        return None
    return value


def _whole(value: Any, path: str, errors: list[str], unit: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.append(f"{path}: must be a whole number of {unit} (0 or more), got {value!r}")
        return 0
    return value


def _dollars(value: Any, path: str, errors: list[str]) -> int:
    return _whole(value, path, errors, "US dollars")


def _days(value: Any, path: str, errors: list[str]) -> int:
    return _whole(value, path, errors, "days")


def _confidence(value: Any, path: str, errors: list[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        errors.append(f"{path}: must be a number from 0 to 1, got {value!r}")
        return 1.0
    return float(value)


def _rating(value: Any, path: str, errors: list[str]) -> str | None:
    return _parsed(value, path, errors, normalize_rating)


def _size_class(value: Any, path: str, errors: list[str]) -> str | None:
    return _parsed(value, path, errors, lambda text: text.strip().upper() if normalize_size_class(text) else None)


def _parsed(value: Any, path: str, errors: list[str], parse: Callable[[str], Any]) -> Any:
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError(f"must be a string, got {value!r}")
        return parse(value)
    except ValueError as exc:
        errors.append(f"{path}: {exc}")
        return None


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", type(None): "null"}
    return names.get(type(value), type(value).__name__)
