"""The directory aggregate: projects, vendors (Procore directory companies), contacts, assignments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime


class Project(TenantScoped, Timestamped, Base):
    """A Procore project of the GC's company."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("company_id", "procore_project_id", name="uq_projects_company_project"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procore_project_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    name: Mapped[str] = mapped_column(String(255), default="")
    project_number: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_name: Mapped[str | None] = mapped_column(String(255))


class Vendor(TenantScoped, Timestamped, Base):
    """A subcontractor: a company in the GC's Procore Directory."""

    __tablename__ = "vendors"
    __table_args__ = (UniqueConstraint("company_id", "procore_vendor_id", name="uq_vendors_company_vendor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procore_vendor_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    name: Mapped[str] = mapped_column(String(255), default="")
    legal_name: Mapped[str | None] = mapped_column(String(255))
    trade: Mapped[str | None] = mapped_column(String(255))
    trade_tier: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    outreach_muted: Mapped[bool] = mapped_column(Boolean, default=False)
    procore_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Denormalised latest status for list pages; the evaluations table is the record.
    status: Mapped[str] = mapped_column(String(32), default="nothing_received")


class VendorContact(TenantScoped, Timestamped, Base):
    """A person at a vendor who receives requests (a Procore user or person tied to the vendor)."""

    __tablename__ = "vendor_contacts"
    __table_args__ = (UniqueConstraint("vendor_id", "email", name="uq_vendor_contacts_vendor_email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    procore_user_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    is_insurance_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    # The mail server refused this address (unknown user, mailbox full): shown to the GC, skipped by outreach.
    mail_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_refusal: Mapped[str | None] = mapped_column(String(500))


class ProjectAssignment(TenantScoped, Timestamped, Base):
    """A vendor working on a project, with the work window its insurance must cover."""

    __tablename__ = "project_assignments"
    __table_args__ = (UniqueConstraint("project_id", "vendor_id", name="uq_project_assignments_project_vendor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    trade_tier: Mapped[str | None] = mapped_column(String(32))
    work_starts_on: Mapped[date | None] = mapped_column(Date)
    work_ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), default="nothing_received")
