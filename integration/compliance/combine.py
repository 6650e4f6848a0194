"""Combine the documents of one submission: values with their provenance, the best policy per line.

A submission is often a certificate plus endorsement pages, or a separate umbrella certificate.
Policies are pooled across documents and, per coverage line, the best-evidenced one is chosen (in
force today, then from a document not flagged for review, then the most confident, then the latest
expiry). Combining only ever picks evidence; a value that is missing stays missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from integration.compliance.results import Location

# Contract policy line -> requirement line. Excess liability meets an umbrella requirement.
LINE_OF_POLICY = {
    "general_liability": "general_liability",
    "automobile_liability": "automobile_liability",
    "umbrella_liability": "umbrella_liability",
    "excess_liability": "umbrella_liability",
    "workers_compensation": "workers_compensation",
}


@dataclass(frozen=True)
class Fact:
    """One value read from a document, with where it came from and how sure the reader was."""

    value: Any
    location: Location
    confidence: float | None = None
    doc_needs_review: bool = False

    def reliable(self, min_confidence: float) -> bool:
        """True when the value is present and read with enough confidence to decide on."""
        return self.value is not None and (self.confidence is None or self.confidence >= min_confidence)


def parse_date(value: Any) -> date | None:
    """An ISO ``YYYY-MM-DD`` string (or a date) as a date; None when absent or malformed."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def read_fact(cert: Mapping[str, Any], path: str) -> Fact:
    """The value at dotted ``path`` (``policies.0.limits.each_occurrence``) with its provenance."""
    provenance = _provenance(cert, path)
    return Fact(
        value=_walk(cert, path),
        location=Location(cert.get("file"), provenance.get("page"), path),
        confidence=_confidence(provenance),
        doc_needs_review=cert.get("needs_review") is not False,
    )


@dataclass(frozen=True)
class PolicyEvidence:
    """One policy row on one certificate."""

    cert: Mapping[str, Any]
    index: int

    def fact(self, path: str) -> Fact:
        """A value of this policy row, e.g. ``limits.each_occurrence`` or ``expiration_date``."""
        return read_fact(self.cert, f"policies.{self.index}.{path}")

    def in_force_on(self, day: date) -> bool:
        """True when the row's dates are readable and ``day`` falls within them."""
        effective = parse_date(self.fact("effective_date").value)
        expires = parse_date(self.fact("expiration_date").value)
        return effective is not None and expires is not None and effective <= day < expires


@dataclass(frozen=True)
class EndorsementPage:
    """An endorsement page found in a submission (form number normalised, e.g. ``CG 20 10``)."""

    form: str
    edition: str
    fact: Fact


@dataclass(frozen=True)
class Submission:
    """Everything one submission offers as evidence."""

    readable: tuple[Mapping[str, Any], ...]
    unreadable: tuple[Mapping[str, Any], ...]
    policies: Mapping[str, PolicyEvidence]
    endorsements: tuple[EndorsementPage, ...]

    @property
    def received(self) -> bool:
        """True when at least one document was submitted."""
        return bool(self.readable or self.unreadable)

    def contributing(self) -> tuple[Mapping[str, Any], ...]:
        """The readable documents that supplied a chosen policy (all readable ones when none did)."""
        chosen = [evidence.cert for evidence in self.policies.values()]
        return tuple(cert for cert in self.readable if any(cert is c for c in chosen)) or self.readable


def combine(certificates: Iterable[Mapping[str, Any]], today: date) -> Submission:
    """Pool the documents of one submission and choose the best policy per coverage line."""
    certs = tuple(certificates)
    readable = tuple(cert for cert in certs if cert.get("ok") is True)
    unreadable = tuple(cert for cert in certs if cert.get("ok") is not True)
    candidates: dict[str, list[PolicyEvidence]] = {}
    for cert in readable:
        for index, policy in enumerate(cert.get("policies") or []):
            line = LINE_OF_POLICY.get(policy.get("line")) if isinstance(policy, Mapping) else None
            if line:
                candidates.setdefault(line, []).append(PolicyEvidence(cert, index))
    chosen = {line: max(found, key=lambda ev: _rank(ev, today)) for line, found in candidates.items()}
    return Submission(readable, unreadable, chosen, tuple(_endorsements(readable)))


def normalize_form(form: str) -> str:
    """An ISO/NCCI form number in one spelling: "cg2010" and "CG 20 10" -> "CG 20 10"."""
    compact = "".join(form.upper().split())
    letters = "".join(ch for ch in compact if ch.isalpha())
    digits = compact[len(letters) :]
    return " ".join([letters, *[digits[i : i + 2] for i in range(0, len(digits), 2)]]).strip()


def _rank(evidence: PolicyEvidence, today: date) -> tuple[Any, ...]:
    expires = parse_date(evidence.fact("expiration_date").value)
    return (
        evidence.in_force_on(today),
        expires is not None and expires > today,
        evidence.cert.get("needs_review") is False,
        _policy_confidence(evidence),
        expires or date.min,
    )


def _policy_confidence(evidence: PolicyEvidence) -> float:
    prefixes = (f"policies.{evidence.index}.", f"policies[{evidence.index}].")
    fields = evidence.cert.get("fields") or {}
    scores = [_confidence(entry) for key, entry in fields.items() if key.startswith(prefixes)]
    return min((score for score in scores if score is not None), default=1.0)


def _confidence(entry: Any) -> float | None:
    """A provenance entry's confidence: None when it gives none, 0.0 when it is malformed (never trusted)."""
    if not isinstance(entry, Mapping) or entry.get("confidence") is None:
        return None
    value = entry["confidence"]
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _endorsements(readable: tuple[Mapping[str, Any], ...]) -> list[EndorsementPage]:
    pages = []
    for cert in readable:
        for index, page in enumerate(cert.get("endorsements") or []):
            fact = read_fact(cert, f"endorsements.{index}.form")
            if isinstance(page, Mapping) and isinstance(fact.value, str) and fact.value.strip():
                location = Location(cert.get("file"), page.get("page"), fact.location.field)
                edition = "".join(ch for ch in str(page.get("edition") or "") if ch.isdigit())
                pages.append(EndorsementPage(normalize_form(fact.value), edition, _at(fact, location)))
    return pages


def _at(fact: Fact, location: Location) -> Fact:
    return Fact(fact.value, location, fact.confidence, fact.doc_needs_review)


def _walk(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _provenance(cert: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    """The ``fields`` entry for ``path``; the extractor may write list indexes as ``[0]``."""
    fields = cert.get("fields") or {}
    bracketed = ".".join(f"[{part}]" if part.isdigit() else part for part in path.split(".")).replace(".[", "[")
    entry = fields.get(path) or fields.get(bracketed)
    return entry if isinstance(entry, Mapping) else {}
