"""The certificate aggregate: what was read from a stored file, per the extraction contract."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from integration.certificate import ExtractedCertificate
from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime, json_type


class CertificateJSON(TypeDecorator):
    """An ExtractedCertificate kept as its JSON form (JSONB on PostgreSQL) and read back typed."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else JSON())

    def process_bind_param(self, value, dialect):
        if not isinstance(value, ExtractedCertificate):
            raise TypeError(f"store an ExtractedCertificate, not {type(value).__name__}")
        return value.to_dict()

    def process_result_value(self, value, dialect):
        return None if value is None else ExtractedCertificate.from_dict(value)


LISTED = "ok AND NOT needs_review"


class Certificate(TenantScoped, Timestamped, Base):
    """What was read from a stored file: ``content`` as last approved, ``extracted`` as first read."""

    __tablename__ = "certificates"
    # The Compliance Hub's rows: listed certificates (read cleanly or approved) by vendor and period, read from
    # the index alone. The predicate is integration.compliance_hub.table.listed_conditions'.
    __table_args__ = (Index("ix_certificates_listed", "vendor_id", "covers_from", "covers_to", "id",
                            postgresql_include=["stored_file_id", "company_id"],
                            postgresql_where=text(LISTED), sqlite_where=text(LISTED)),)

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
    # The days every policy on it is in force (see integration.coverage_period); kept with the policy rows.
    covers_from: Mapped[date | None] = mapped_column(Date)
    covers_to: Mapped[date | None] = mapped_column(Date)
    content: Mapped[ExtractedCertificate] = mapped_column("data", CertificateJSON())
    extracted: Mapped[ExtractedCertificate] = mapped_column("extracted_data", CertificateJSON())
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __init__(self, **values) -> None:
        values.setdefault("extracted", values.get("content"))  # a new row is as read until someone corrects it
        super().__init__(**values)


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
