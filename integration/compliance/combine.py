"""Combine the documents of one submission: values with their provenance, the best policy per line.

A submission is often a certificate plus endorsement pages, or a separate umbrella certificate.
Policies are pooled across documents and, per coverage line, the best-evidenced one is chosen (in
force today, then from a document not flagged for review, then the most confident, then the latest
expiry, then the newest document). Combining only ever picks evidence; a value that is missing stays missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from integration.certificate import ExtractedCertificate
from integration.compliance import wording
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
        """True when the value is present and its confidence was measured and reaches ``min_confidence``.

        A value the reader gave no confidence for was not measured, so it is not trusted either.
        """
        return self.value is not None and self.confidence is not None and self.confidence >= min_confidence


def parse_date(value: Any) -> date | None:
    """An ISO ``YYYY-MM-DD`` string (or a date) as a date; None when absent or malformed."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def read_fact(cert: ExtractedCertificate, path: str) -> Fact:
    """The value at dotted ``path`` (``policies.0.limits.each_occurrence``) with its provenance.

    Remembered with the certificate: a bulk re-evaluation reads the same facts for every assignment.
    """
    known = cert.memo.setdefault("facts", {})
    fact = known.get(path)
    if fact is None:
        source = cert.source(path)
        location = Location(cert.file, source.page, path, wording.box(cert, path))
        fact = known[path] = Fact(cert.value_at(path), location, source.confidence, cert.needs_review)
    return fact


@dataclass(frozen=True)
class PolicyEvidence:
    """One policy row on one certificate."""

    cert: ExtractedCertificate
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

    readable: tuple[ExtractedCertificate, ...]
    unreadable: tuple[ExtractedCertificate, ...]
    policies: Mapping[str, PolicyEvidence]
    endorsements: tuple[EndorsementPage, ...]

    @cached_property
    def memo(self) -> dict[str, Any]:
        """What the engine worked out from these documents, kept for the next evaluation of them."""
        return {}

    @property
    def received(self) -> bool:
        """True when at least one document was submitted."""
        return bool(self.readable or self.unreadable)

    def contributing(self, lines: Iterable[str]) -> tuple[ExtractedCertificate, ...]:
        """The readable documents that supplied the chosen policy of one of ``lines`` (all readable ones when none did).

        Only the required lines count: an older certificate that still holds a policy nobody asks for is not
        one of the documents the vendor is judged on.
        """
        chosen = [self.policies[line].cert for line in lines if line in self.policies]
        return tuple(cert for cert in self.readable if any(cert is c for c in chosen)) or self.readable


def combine(certificates: Iterable[ExtractedCertificate], today: date) -> Submission:
    """Pool the documents of one submission and choose the best policy per coverage line."""
    certs = tuple(certificates)
    readable = tuple(cert for cert in certs if cert.ok)
    unreadable = tuple(cert for cert in certs if not cert.ok)
    candidates: dict[str, list[PolicyEvidence]] = {}
    for cert in readable:
        for index, policy in enumerate(cert.policies):
            line = LINE_OF_POLICY.get(policy.line)
            if line:
                candidates.setdefault(line, []).append(PolicyEvidence(cert, index))
    # (the documents come oldest first: on a tie, the newest, such as a corrected certificate, is chosen)
    chosen = {line: found[0] if len(found) == 1 else max(reversed(found), key=lambda ev: _rank(ev, today))
              for line, found in candidates.items()}
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
        not evidence.cert.needs_review,
        _policy_confidence(evidence),
        expires or date.min,
    )


def _policy_confidence(evidence: PolicyEvidence) -> float:
    prefix = f"policies.{evidence.index}."
    scores = [source.confidence for path, source in evidence.cert.fields.items() if path.startswith(prefix)]
    return min((score for score in scores if score is not None), default=1.0)


def _endorsements(readable: tuple[ExtractedCertificate, ...]) -> list[EndorsementPage]:
    pages = []
    for cert in readable:
        for index, page in enumerate(cert.endorsements):
            fact = read_fact(cert, f"endorsements.{index}.form")
            if page.form.strip():
                location = Location(cert.file, page.page, fact.location.field, fact.location.box)
                edition = "".join(ch for ch in page.edition or "" if ch.isdigit())
                pages.append(EndorsementPage(normalize_form(page.form), edition, _at(fact, location)))
    return pages


def _at(fact: Fact, location: Location) -> Fact:
    return Fact(fact.value, location, fact.confidence, fact.doc_needs_review)
