"""The review queue: a person checks what was read, corrects it, and approves; every correction is audited."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete

from integration import audit, outbox
from integration.certificate import CertificateFormatError
from integration.compliance.wording import BOXES, coverage
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.models import AppUser, Certificate, CertificatePolicy, StoredFile, Vendor, utcnow
from integration.outreach.requests import after_evaluation, request_new_certificate
from integration.reading import replace_policies
from integration.refusals import Refusal
from integration.requirement_sets import effective_set
from integration.roles import can_manage, in_words
from integration.tenancy import get_scoped, scoped

LOW_CONFIDENCE = 0.8
POLICY_TEXT = ("policy_number", "insurer_letter")
DECIDING_TEXT = ("insurer_letter",)  # the insurer's letter leads to its rating; the policy number decides nothing
POLICY_DATES = ("effective_date", "expiration_date")
# The boxes a reviewer can set on each kind of row (the others do not appear on that row of the form).
FLAGS = {
    "general_liability": ("additional_insured", "subrogation_waived", "occurrence"),
    "automobile_liability": ("additional_insured", "subrogation_waived", "any_auto"),
    "umbrella_liability": ("additional_insured", "subrogation_waived", "occurrence"),
    "excess_liability": ("additional_insured", "subrogation_waived", "occurrence"),
    "workers_compensation": ("subrogation_waived", "statutory"),
    "other": ("additional_insured", "subrogation_waived"),
}
# A yes/no box whose answers have names of their own, and the words that say what it asks.
FLAG_WORDS = {"occurrence": ("Occurrence", "Claims-made")}
FLAG_LABELS = {"occurrence": "Occurrence or claims-made (OCCUR / CLAIMS-MADE)"}
CHOICES = {"aggregate_applies_per": {"policy": "POLICY", "project": "PRO-JECT", "location": "LOC", "other": "OTHER"}}
# The certificate's box that shows each condition a requirement set can ask of a line.
CONDITION_BOXES = {"additional_insured": "additional_insured", "waiver_of_subrogation": "subrogation_waived",
                   "occurrence_basis": "occurrence", "statutory": "statutory",
                   "per_project_aggregate": "aggregate_applies_per"}
REQUIRED_AS = {"excess_liability": "umbrella_liability"}  # an excess policy answers the umbrella requirement


class ReviewError(Refusal, ValueError):
    """A correction was refused; the message names the field and what it expects."""


@dataclass
class Field:
    """One editable value of a certificate, with how sure the reader was."""

    path: str
    label: str
    value: Any
    kind: str  # text | date | money | flag | choice
    confidence: float | None
    matters: bool = True  # the vendor's requirements look at this value

    @property
    def check(self) -> bool:
        """True when a person should look: the value matters for the line and the reader was unsure of it."""
        return self.matters and self.low

    @property
    def low(self) -> bool:
        """True when the value is missing, or the reader was not confident of it (or did not measure)."""
        return self.value is None or self.confidence is None or self.confidence < LOW_CONFIDENCE

    @property
    def flag_words(self) -> tuple[str, str]:
        """For a flag: the words of its yes and its no ("Occurrence" and "Claims-made" for OCCUR / CLAIMS-MADE)."""
        return FLAG_WORDS.get(self.path.rsplit(".", 1)[-1], ("yes", "no"))

    @property
    def choices(self) -> dict[str, str]:
        """For a choice: each value with the form's own label for it."""
        return CHOICES.get(self.path.rsplit(".", 1)[-1], {})


def queue(company_id: int) -> list[tuple[Certificate, Vendor]]:
    """Certificates waiting for a person, oldest first, with their vendor."""
    query = (scoped(Certificate, company_id).add_columns(Vendor).join(Vendor, Vendor.id == Certificate.vendor_id)
             .where(Certificate.needs_review.is_(True)).order_by(Certificate.id))
    return [tuple(row) for row in db.session.execute(query)]


def editable_fields(certificate: Certificate) -> list[Field]:
    """The values a reviewer may correct, in the order they appear on the certificate; those the vendor's
    requirements do not look at are never marked for checking."""
    content, fields, wanted = certificate.content, [], _required_boxes(certificate)
    add = fields.append

    def field(path: str, label: str, kind: str, matters: bool = True) -> None:
        value = content.value_at(path)
        add(Field(path, label, value.isoformat() if isinstance(value, date) else value, kind,
                  content.source(path).confidence, matters))

    field("named_insured.name", "Named insured (INSURED)", "text")
    field("certificate_holder.name", "CERTIFICATE HOLDER", "text")
    for i, policy in enumerate(content.policies):
        row, boxes = coverage(policy.line).capitalize(), wanted.get(REQUIRED_AS.get(policy.line, policy.line))
        for key in POLICY_TEXT:  # the policy number is only shown as evidence: no check turns on it
            field(f"policies.{i}.{key}", f"{row}: {BOXES[key]}", "text", boxes is not None and key in DECIDING_TEXT)
        for key in POLICY_DATES:
            field(f"policies.{i}.{key}", f"{row}: {BOXES[key]}", "date", boxes is not None)
        for key in FLAGS[policy.line]:
            field(f"policies.{i}.{key}", f"{row}: {FLAG_LABELS.get(key, BOXES[key])}", "flag", key in (boxes or ()))
        if policy.line == "general_liability":
            field(f"policies.{i}.aggregate_applies_per", f"{row}: {BOXES['aggregate_applies_per']}", "choice",
                  "aggregate_applies_per" in (boxes or ()))
        for key in sorted(policy.limits):
            field(f"policies.{i}.limits.{key}", f"{row}: {BOXES[key]}", "money", key in (boxes or ()))
    return fields


def _required_boxes(certificate: Certificate) -> dict[str, set[str]]:
    """For each line the vendor must carry (company-wide, by its trade tier): the limits and boxes checked."""
    vendor = get_scoped(Vendor, certificate.vendor_id, certificate.company_id)
    required = effective_set(certificate.company_id, None, vendor.trade_tier if vendor else None)
    return {line: {*spec.limits, *(CONDITION_BOXES[flag] for flag in spec.flags if flag in CONDITION_BOXES)}
            for line, spec in required.lines.items()}


def parse_value(field: Field, raw: str) -> Any:
    """The typed value of a reviewer's entry; ReviewError names the field when it is malformed."""
    raw = (raw or "").strip()
    if raw == "":
        return None
    if field.kind == "date":
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError as exc:
            raise ReviewError(f"{field.label}: enter a date as YYYY-MM-DD, not {raw!r}") from exc
    if field.kind == "money":
        digits = re.sub(r"[$,\s]", "", raw)
        if not digits.isdigit():
            raise ReviewError(f"{field.label}: enter a whole dollar amount such as 1,000,000, not {raw!r}")
        return int(digits)
    if field.kind == "flag":
        if raw.lower() not in {"yes", "no"}:
            raise ReviewError(f"{field.label}: choose yes or no")
        return raw.lower() == "yes"
    if field.kind == "choice" and raw not in field.choices:
        raise ReviewError(f"{field.label}: choose one of {', '.join(field.choices.values())}")
    return raw


def approve(company_id: int, actor: AppUser, certificate_id: int, entries: dict[str, str], today: date) -> Certificate:
    """Apply the reviewer's corrections (all or none), mark the certificate reviewed, and re-evaluate."""
    certificate = _reviewable(company_id, actor, certificate_id)
    changes, shown = {}, editable_fields(certificate)
    for field in shown:
        if field.path in entries:
            value = parse_value(field, entries[field.path])
            if value != field.value:
                changes[field.path] = (field.value, value)
    try:
        corrected = certificate.content.with_values({path: new for path, (_, new) in changes.items()})
    except CertificateFormatError as exc:
        raise ReviewError(str(exc)) from exc
    certificate.content = corrected.confirmed(tuple(field.path for field in shown))
    certificate.needs_review = False
    certificate.reviewed_by_user_id, certificate.reviewed_at = actor.id, utcnow()
    replace_policies(certificate)
    audit.record(company_id, "certificate.reviewed", certificate, actor=actor,
                 before={path: old for path, (old, _) in changes.items()},
                 after={path: new for path, (_, new) in changes.items()})
    vendor = evaluate_vendor(company_id, certificate.vendor_id, today, trigger="review")
    after_evaluation(vendor, "review", today)
    outbox.commit()
    return certificate


def reject(company_id: int, actor: AppUser, certificate_id: int, reason: str, today: date) -> Certificate:
    """Turn a certificate down with a reason: it stops counting, the vendor is re-evaluated and asked for a new one.

    All or nothing: when the vendor cannot be asked (muted, no address), nothing is rejected.
    """
    certificate = _reviewable(company_id, actor, certificate_id)
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= 500:
        raise ReviewError("Reason for rejecting: say in 3 to 500 characters what is wrong with the certificate; the "
                          "vendor reads it in the request for a new one.")
    reason = reason if reason.endswith((".", "!", "?")) else reason + "."
    error = f"Rejected by a reviewer: {reason}"
    certificate.content = dataclasses.replace(certificate.content, ok=False, error=error, needs_review=False)
    certificate.ok, certificate.needs_review, certificate.error = False, False, error
    certificate.reviewed_by_user_id, certificate.reviewed_at = actor.id, utcnow()
    db.session.execute(delete(CertificatePolicy).where(CertificatePolicy.company_id == company_id,
                                                       CertificatePolicy.certificate_id == certificate.id))
    audit.record(company_id, "certificate.rejected", certificate, actor=actor, after={"reason": reason})
    evaluate_vendor(company_id, certificate.vendor_id, today, trigger="rejected")
    request_new_certificate(company_id, certificate.vendor_id, actor, reason, today)
    outbox.commit()
    return certificate


def _reviewable(company_id: int, actor: AppUser, certificate_id: int) -> Certificate:
    if not can_manage(actor) or actor.company_id != company_id:
        raise ReviewError("Only admins and compliance managers may review certificates; "
                          f"your role is {in_words(actor.role)}.", status=403)
    certificate = get_scoped(Certificate, certificate_id, company_id)
    if certificate is None:
        raise ReviewError(f"Certificate {certificate_id} is not one of this company's certificates.", status=404)
    return certificate


def stored_file_of(certificate: Certificate) -> StoredFile:
    """The file a certificate was read from."""
    return get_scoped(StoredFile, certificate.stored_file_id, certificate.company_id)
