"""What the compliance table lists, kept per vendor and per project assignment as it changes.

The evaluations, gaps, certificates and requests are the record; a summary row holds what a table
row shows (the vendor's name and trade, status, open gaps, earliest expiry, last request, next action,
projects), written by ``integration.vendor_summary.refresh`` whenever one of them may change, so a page
is read from one narrow table. Dates are stored as dates: how many days are left is worked out at read time.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, UTCDateTime


class VendorSummary(TenantScoped, Base):
    """One row of the compliance table: a vendor company-wide (no assignment) or on one project."""

    __tablename__ = "vendor_summaries"
    __table_args__ = (Index("ix_vendor_summaries_company_project_status", "company_id", "project_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("project_assignments.id", ondelete="CASCADE"),
                                                      index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255), nullable=False, default="")  # the vendor's, for search and sort
    trade: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    open_gaps: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    expires_on: Mapped[date | None] = mapped_column(Date)
    last_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_action: Mapped[str | None] = mapped_column(String(64))
    projects: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
