"""The certificate aggregate: what was read from a stored file, per the extraction contract."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime, json_type


class Certificate(TenantScoped, Timestamped, Base):
    """An extracted certificate; ``data`` is the contract's JSON object as last approved."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(16))
    edition: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=True)
    issued_on: Mapped[date | None] = mapped_column(Date)
    data: Mapped[dict] = mapped_column(json_type(), default=dict)
    extracted_data: Mapped[dict] = mapped_column(json_type(), default=dict)  # as read, before corrections
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CertificatePolicy(TenantScoped, Base):
    """One policy row of a certificate, copied out of ``data`` so expiries can be queried."""

    __tablename__ = "certificate_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), index=True)
    line: Mapped[str] = mapped_column(String(32), nullable=False)
    insurer_letter: Mapped[str | None] = mapped_column(String(1))
    insurer_naic: Mapped[str | None] = mapped_column(String(10))
    policy_number: Mapped[str | None] = mapped_column(String(100))
    effective_date: Mapped[date | None] = mapped_column(Date)
    expiration_date: Mapped[date | None] = mapped_column(Date, index=True)
    limits: Mapped[dict] = mapped_column(json_type(), default=dict)
