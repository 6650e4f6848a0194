"""Reading a submission: each stored file becomes an extracted certificate, then the vendor is evaluated."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta

from flask import current_app

from integration import outbox
from integration.certificate import ExtractedCertificate
from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.extraction import extract
from integration.isolation import BudgetExceeded, run_isolated
from integration.models import Certificate, CertificatePolicy, Installation, StoredFile, Submission, utcnow
from integration.outreach.requests import after_evaluation
from integration.storage import get_storage
from integration.tenancy import get_scoped, scoped

log = logging.getLogger(__name__)

READ_MEMORY_MB = 1024
READ_SECONDS = 90.0
READ_FAILED = ("Gapline could not read these files automatically. They are kept: a person can review them, "
               "or the vendor can send them again.")


def read_submission(company_id: int, submission_id: int, today: date) -> Submission:
    """Read every file of the submission not read yet, evaluate the vendor, and set the submission's state.

    Safe to run twice: a file that already has its certificate is not read again. Each file is read
    with no write transaction open and saved in one short commit, so other users' writes never wait on
    the reader (SQLite has one writer at a time).
    """
    submission = get_scoped(Submission, submission_id, company_id)
    if submission is None:
        raise LookupError(f"submission {submission_id} is not one of company {company_id}'s submissions")
    submission.state, submission.reading_started_at, submission.failure_reason = "reading", utcnow(), None
    submission.reading_attempts = (submission.reading_attempts or 0) + 1
    db.session.commit()
    try:
        files = db.session.scalars(scoped(StoredFile, company_id).where(StoredFile.submission_id == submission.id)
                                   .order_by(StoredFile.position)).all()
        certificates = [_certificate_for(submission, stored) for stored in files]
        vendor = evaluate_vendor(company_id, submission.vendor_id, today, trigger="submission")
        submission.state = "needs_review" if any(c.needs_review for c in certificates) else "evaluated"
        after_evaluation(vendor, "submission", today)  # the result or the gaps email, with the result itself
        outbox.commit()
    except Exception:
        db.session.rollback()  # the evaluation is not half-written; files already read stay read for a retry
        submission.state, submission.failure_reason = "failed", READ_FAILED
        db.session.commit()
        raise
    return submission


def _certificate_for(submission: Submission, stored: StoredFile) -> Certificate:
    existing = _certificate_of(stored.company_id, stored.id)
    if existing is not None:
        return existing
    earlier = stored.duplicate_of_id and _certificate_of(stored.company_id, stored.duplicate_of_id)
    db.session.commit()  # no transaction stays open while the file is read (seconds, on a scan)
    content = replace(earlier.content, file=stored.filename) if earlier else read_file(stored)
    certificate = save_certificate(submission, stored, content)
    db.session.commit()
    return certificate


def _certificate_of(company_id: int, stored_file_id: int) -> Certificate | None:
    return db.session.scalar(scoped(Certificate, company_id).where(Certificate.stored_file_id == stored_file_id))


def read_file(stored: StoredFile) -> ExtractedCertificate:
    """One stored file read in an isolated child, within the time and memory budget."""
    content = get_storage().get(stored.storage_key)
    config = current_app.config
    try:
        return run_isolated(extract, content, stored.filename, memory_mb=config.get("READ_MEMORY_MB", READ_MEMORY_MB),
                            seconds=config.get("READ_SECONDS", READ_SECONDS))
    except BudgetExceeded as exc:
        log.warning("reading %s (stored file %s) gave up: %s %s", stored.filename, stored.id, exc, exc.detail)
        return ExtractedCertificate.unreadable(stored.filename, f"{stored.filename}: {exc}")


def save_certificate(submission: Submission, stored: StoredFile, content: ExtractedCertificate) -> Certificate:
    """Record a reading: the certificate as read, and one row per policy."""
    certificate = Certificate(
        company_id=submission.company_id, stored_file_id=stored.id, vendor_id=submission.vendor_id,
        ok=content.ok, error=content.error, method=content.method, edition=content.edition,
        confidence=content.confidence, needs_review=content.needs_review or not content.ok,
        issued_on=content.issued_on, content=content)
    db.session.add(certificate)
    db.session.flush()
    replace_policies(certificate)
    return certificate


def replace_policies(certificate: Certificate) -> None:
    """Copy the certificate's policies into rows (for expiry queries) and set its coverage period."""
    for old in db.session.scalars(scoped(CertificatePolicy, certificate.company_id)
                                  .where(CertificatePolicy.certificate_id == certificate.id)):
        db.session.delete(old)
    content = certificate.content
    certificate.covers_from, certificate.covers_to = content.coverage_period() or (None, None)
    naic = {insurer.letter: insurer.naic for insurer in content.insurers}
    db.session.add_all(CertificatePolicy(
        company_id=certificate.company_id, certificate_id=certificate.id, line=p.line,
        insurer_letter=p.insurer_letter, insurer_naic=naic.get(p.insurer_letter or ""),
        policy_number=p.policy_number, effective_date=p.effective_date, expiration_date=p.expiration_date,
        limits=dict(p.limits))
        for p in content.policies)


def stuck_readings(company_id: int, now: datetime, budget: timedelta) -> list[Submission]:
    """The company's submissions whose reading began (or, never begun, was received) longer than ``budget`` ago."""
    since = now - budget
    return list(db.session.scalars(scoped(Submission, company_id).where(
        ((Submission.state == "reading") & (Submission.reading_started_at < since))
        | ((Submission.state == "received") & (Submission.created_at < since))).order_by(Submission.id)))


def give_up_reading(submission: Submission, reason: str) -> None:
    """Mark a submission failed with the reason people see on the vendor page."""
    submission.state, submission.failure_reason = "failed", reason[:500]
    db.session.commit()


def companies_with_readings() -> list[int]:
    """Every installed company (the reaper looks at each one's submissions in turn)."""
    return list(db.session.scalars(db.select(Installation.company_id).order_by(Installation.company_id)))
