"""The sync aggregate: runs against Procore (imports, pushes, nightly reconcile) and pushed records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime, json_type, one_of

RUN_KINDS = ("directory_import", "push", "reconcile")
RUN_STATES = ("running", "succeeded", "failed", "partial")


class SyncRun(TenantScoped, Timestamped, Base):
    """One run of a sync job, with what it counted and why it failed if it did."""

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


class PushedRecord(TenantScoped, Timestamped, Base):
    """A vendor insurance record Gapline wrote to Procore, keyed by our stable ``origin_id``."""

    __tablename__ = "pushed_records"
    __table_args__ = (UniqueConstraint("company_id", "origin_id", name="uq_pushed_records_company_origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    origin_id: Mapped[str] = mapped_column(String(128), nullable=False)
    procore_insurance_id: Mapped[int | None] = mapped_column(BigInteger)
    payload_sha256: Mapped[str | None] = mapped_column(String(64))  # skip a push when nothing changed
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    last_error: Mapped[str | None] = mapped_column(Text)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
