"""The webhook aggregate: the hook Gapline keeps in each company's Procore, and the events it received."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime, json_type, utcnow


class WebhookHook(TenantScoped, Timestamped, Base):
    """The company's hook in Procore; only the hash of its secret is kept (Procore sends the secret back)."""

    __tablename__ = "webhook_hooks"
    __table_args__ = (UniqueConstraint("company_id", name="uq_webhook_hooks_company"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procore_hook_id: Mapped[int | None] = mapped_column(BigInteger)
    secret_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    destination_url: Mapped[str] = mapped_column(String(1024), default="")
    trigger_ids: Mapped[list] = mapped_column(json_type(), default=list)


class WebhookEvent(TenantScoped, Base):
    """One event Procore delivered, kept once however often it arrives, until it is processed."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("company_id", "event_key", name="uq_webhook_events_company_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(128), nullable=False)  # Procore's ulid (or id)
    resource_name: Mapped[str] = mapped_column(String(64), nullable=False)
    resource_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    event_type: Mapped[str] = mapped_column(String(16), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
