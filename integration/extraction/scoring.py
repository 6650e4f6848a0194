"""Score a reading against a person's (or the generator's) true values, on the values that decide compliance.

A value is *flagged* when the document goes to review and the value itself is null or held below the review
threshold: a reviewer is then shown exactly that value. A wrong value that is not flagged is a *silent misread*,
the one number that must stay at zero.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from integration.extraction.assemble import REVIEW_BELOW

_EVERY_ROW = ("insurer_letter", "policy_number", "effective_date", "expiration_date", "subrogation_waived")
# Keys a line prints beyond the common ones; a key not printed for a line is not scored for it.
_LINE_KEYS = {"general_liability": ("additional_insured", "occurrence", "aggregate_applies_per"),
              "automobile_liability": ("additional_insured", "any_auto"),
              "umbrella_liability": ("additional_insured", "occurrence"),
              "workers_compensation": ("statutory",),
              "other": ("additional_insured",)}
DOCUMENT_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")


def _row_name(line: str | None) -> str:
    """Umbrella and excess share one grid row; the row's key is its place on the form."""
    return "umbrella_liability" if line == "excess_liability" else str(line)


def _same(got: object, expected: object) -> bool:
    """Names compare without regard to case and spacing; every other value exactly."""
    if isinstance(got, str) and isinstance(expected, str):
        return " ".join(got.split()).casefold() == " ".join(expected.split()).casefold()
    return got == expected


def deciding_values(doc: dict) -> dict[str, tuple[object, str | None]]:
    """Deciding values keyed by a stable path, each with the `fields` path holding its confidence."""
    values: dict[str, tuple[object, str | None]] = {
        "named_insured.name": (doc["named_insured"]["name"], "named_insured.name"),
        "certificate_holder.name": (doc["certificate_holder"]["name"], "certificate_holder.name")}
    insurers = {ins["letter"]: (n, ins) for n, ins in enumerate(doc.get("insurers") or [])}
    for index, policy in enumerate(doc["policies"]):
        row, at = _row_name(policy["line"]), f"policies.{index}"
        values[f"{row}.line"] = (policy["line"], f"{at}.line")
        for key in (*_EVERY_ROW, *_LINE_KEYS.get(row, ())):
            values[f"{row}.{key}"] = (policy.get(key), f"{at}.{key}")
        for key, amount in (policy.get("limits") or {}).items():
            values[f"{row}.limits.{key}"] = (amount, f"{at}.limits.{key}")
        n, insurer = insurers.get(policy.get("insurer_letter"), (None, {}))
        values[f"{row}.insurer_naic"] = (insurer.get("naic"), f"insurers.{n}.naic" if n is not None else None)
    return values


@dataclass
class Score:
    """Counts over one or many documents, and the wrong values with whether each was flagged."""

    correct: int = 0
    total: int = 0
    flagged: list[tuple[str, object, object]] = field(default_factory=list)
    silent: list[tuple[str, object, object]] = field(default_factory=list)
    per_field: dict[str, list[int]] = field(default_factory=dict)  # path -> [correct, total]

    @property
    def accuracy(self) -> float:
        """Share of deciding values read right."""
        return self.correct / self.total if self.total else 1.0

    def add(self, other: Score) -> None:
        """Fold another document's score into this one."""
        self.correct += other.correct
        self.total += other.total
        self.flagged += other.flagged
        self.silent += other.silent
        for key, (right, seen) in other.per_field.items():
            tally = self.per_field.setdefault(key, [0, 0])
            tally[0] += right
            tally[1] += seen


def _confidence(doc: dict, path: str | None) -> float:
    return doc["fields"].get(path, {}).get("confidence", 0.0) if path else 0.0


def score(got: dict, truth: dict) -> Score:
    """Compare a reading (the certificate or its dict) with the truth; rows the truth lacks count as wrong too."""
    got = got.to_dict() if hasattr(got, "to_dict") else got
    result = Score()
    expected = deciding_values(truth) if truth.get("ok", True) else {}
    found = deciding_values(got) if got["ok"] else {}
    extra = [path for path in found if path.endswith(".line") and path not in expected]
    for path in [*expected, *extra]:
        want = expected.get(path, (None, None))[0]
        value, where = found.get(path, (None, None))
        right = _same(value, want)
        tally = result.per_field.setdefault(path, [0, 0])
        tally[0] += right
        tally[1] += 1
        result.total += 1
        if right:
            result.correct += 1
            continue
        flagged = got["needs_review"] and (value is None or _confidence(got, where) < REVIEW_BELOW)
        (result.flagged if flagged else result.silent).append((path, value, want))
    if not truth.get("ok", True) or not got["ok"]:  # a refusal is right only when the truth is a refusal
        result.total += 1
        right = got["ok"] == truth.get("ok", True)
        result.correct += right
        if not right:
            result.silent.append(("ok", got["ok"], truth.get("ok", True)))
    return result


def truth_beside(document: Path) -> dict | None:
    """The `NAME.truth.json` next to a document, or None when it has none."""
    path = document.with_name(document.name + ".truth.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def documents_in(folder: Path) -> Iterable[Path]:
    """The certificate files of a folder, in name order."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
