"""Receiving documents: a refused submission stores nothing; an accepted one is stored completely, then read."""

from __future__ import annotations

from dataclasses import dataclass

from integration import audit
from integration.extensions import db
from integration.extraction.intake import AcceptedFile, IncomingFile, IntakeError, check_submission, shown_name
from integration.models import Project, StoredFile, Submission, Vendor, utcnow
from integration.push_state import mark_vendors
from integration.refusals import Refusal
from integration.storage import Storage, get_storage
from integration.tenancy import get_scoped, scoped

CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}


class SubmissionRefused(Refusal):
    """The submission was not accepted; ``message`` says why, naming the file and the rule when there is one."""

    def __init__(self, message: str, file: str = "", rule: str = "") -> None:
        super().__init__(message)
        self.file, self.rule = file, rule


@dataclass
class Received:
    """An accepted submission and which of its files were already known."""

    submission: Submission
    duplicates: list[str]


def storage_key(company_id: int, vendor_id: int, accepted: AcceptedFile) -> str:
    """Content-addressed key: the same bytes from the same vendor land on the same key."""
    return f"{company_id}/{vendor_id}/{accepted.sha256[:2]}/{accepted.sha256}.{EXTENSIONS[accepted.kind]}"


def receive(company_id: int, vendor_id: int, files: list[IncomingFile], channel: str, *,
            project_id: int | None = None, submitted_by: str | None = None,
            outreach_request_id: int | None = None) -> Received:
    """Check every file, then store them all and record the submission in one transaction.

    Raises SubmissionRefused before anything is written when any file breaks a rule; if storing or
    recording fails part-way, the files written by this call are removed again.
    """
    vendor = get_scoped(Vendor, vendor_id, company_id)
    if vendor is None:
        raise SubmissionRefused(f"Vendor {vendor_id} is not one of this company's vendors.")
    if project_id is not None and get_scoped(Project, project_id, company_id) is None:
        raise SubmissionRefused(f"Project {project_id} is not one of this company's projects.")
    try:
        accepted = check_submission(files)
    except IntakeError as exc:
        raise SubmissionRefused(exc.message, exc.file, exc.rule) from exc
    storage = get_storage()
    written: list[str] = []
    try:
        received = _record(vendor, accepted, channel, project_id, submitted_by, outreach_request_id, storage, written)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for key in written:
            storage.delete(key)
        raise
    return received


def _record(vendor: Vendor, accepted: list[AcceptedFile], channel: str, project_id: int | None,
            submitted_by: str | None, outreach_request_id: int | None, storage: Storage,
            written: list[str]) -> Received:
    submission = Submission(company_id=vendor.company_id, vendor_id=vendor.id, project_id=project_id, channel=channel,
                            state="received", submitted_by_email=submitted_by, submitted_at=utcnow(),
                            outreach_request_id=outreach_request_id)
    db.session.add(submission)
    db.session.flush()
    duplicates = []
    for position, file in enumerate(accepted):
        key = storage_key(vendor.company_id, vendor.id, file)
        earlier = _earlier_copy(vendor, file.sha256)
        if earlier is not None:
            duplicates.append(file.name)
        elif not storage.exists(key):
            storage.put(key, file.data)
            written.append(key)
        db.session.add(StoredFile(
            company_id=vendor.company_id, submission_id=submission.id, position=position, filename=file.name,
            original_filename=shown_name(file.original) if file.original != file.name else None,
            content_type=CONTENT_TYPES[file.kind], size_bytes=file.size, sha256=file.sha256, storage_key=key,
            page_count=file.pages, duplicate_of_id=earlier.id if earlier else None))
    audit.record(vendor.company_id, "submission.received", submission, actor_label=submitted_by or channel,
                 after={"files": [f.name for f in accepted], "duplicates": duplicates, "channel": channel})
    mark_vendors(vendor.company_id, [vendor.id], "documents_received")  # Procore shows them being read
    db.session.flush()
    return Received(submission, duplicates)


def _earlier_copy(vendor: Vendor, sha256: str) -> StoredFile | None:
    return db.session.scalar(
        scoped(StoredFile, vendor.company_id).join(Submission, Submission.id == StoredFile.submission_id)
        .where(Submission.vendor_id == vendor.id, StoredFile.sha256 == sha256, StoredFile.duplicate_of_id.is_(None))
        .order_by(StoredFile.id).limit(1))
