"""The documents aggregate: a submission of 1 to 6 files and each stored file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime, one_of

CHANNELS = ("upload_link", "record_hub", "procore_widget", "staff_upload")
SUBMISSION_STATES = ("received", "reading", "needs_review", "evaluated", "failed")


class Submission(TenantScoped, Timestamped, Base):
    """Documents a vendor (or GC staff on its behalf) sent in one go."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(one_of("state", SUBMISSION_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    outreach_request_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_requests.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(32), nullable=False)
    state: Mapped[str] = mapped_column(String(32), default="received")
    submitted_by_email: Mapped[str | None] = mapped_column(String(320))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reading: when the current attempt began, how many began (the reaper bounds them), why it gave up.
    reading_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reading_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failure_reason: Mapped[str | None] = mapped_column(String(500))


class StoredFile(TenantScoped, Timestamped, Base):
    """One file of a submission, kept in storage under ``storage_key`` with its checksum."""

    __tablename__ = "stored_files"
    __table_args__ = (UniqueConstraint("submission_id", "position", name="uq_stored_files_submission_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)  # cleaned: what Gapline uses and shows
    # The name as uploaded, its invisible and control characters written out: for display beside it only.
    original_filename: Mapped[str | None] = mapped_column(String(512))
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), index=True, nullable=False)
    storage_key: Mapped[str] = mapped_column(String(512), nullable=False)
    page_count: Mapped[int | None] = mapped_column(Integer)
    # The same bytes received earlier from this vendor: read once, recognised when sent again.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
