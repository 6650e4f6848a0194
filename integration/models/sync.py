"""The sync aggregate: runs against Procore (imports, pushes, nightly reconcile), pushed records, pending pushes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime, json_type, one_of, utcnow

RUN_KINDS = ("directory_import", "push", "reconcile", "webhook_events")
RUN_STATES = ("running", "succeeded", "failed", "partial")


class SyncRun(TenantScoped, Timestamped, Base):
    """One run of a sync job: what it counted, why it failed if it did, and where it got to."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        CheckConstraint(one_of("kind", RUN_KINDS), name="kind"),
        CheckConstraint(one_of("state", RUN_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    state: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counts: Mapped[dict] = mapped_column(json_type(), default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    # The steps a run has finished, so a run that crashed resumes where it stopped.
    checkpoint: Mapped[dict] = mapped_column(json_type(), default=dict)


class PushedRecord(TenantScoped, Timestamped, Base):
    """One vendor insurance record Gapline keeps in Procore (one per coverage line), by our stable ``origin_id``.

    ``payload_sha256`` is the hash of the last payload Procore accepted: a push sends a record only
    when what it would send hashes differently. ``last_error`` holds Procore's refusal until it accepts.
    """

    __tablename__ = "pushed_records"
    __table_args__ = (UniqueConstraint("company_id", "origin_id", name="uq_pushed_records_company_origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    origin_id: Mapped[str] = mapped_column(String(128), nullable=False)
    line: Mapped[str] = mapped_column(String(64), default="", server_default="")
    procore_insurance_id: Mapped[int | None] = mapped_column(BigInteger)
    payload_sha256: Mapped[str | None] = mapped_column(String(64))  # skip a push when nothing changed
    status: Mapped[str | None] = mapped_column(String(32))  # the Procore status last accepted
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # line no longer required
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # refusals in a row
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PendingPush(TenantScoped, Base):
    """A vendor whose Procore records may be out of date: its status changed, or a push of it failed.

    ``not_before`` holds a failed vendor back until its retry is due; a new change clears it.
    ``generation`` grows with every change, so a push clears only the marks it has seen.
    """

    __tablename__ = "pending_pushes"
    __table_args__ = (UniqueConstraint("vendor_id", name="uq_pending_pushes_vendor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), nullable=False)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(64), default="")
    generation: Mapped[int] = mapped_column(Integer, default=1)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
