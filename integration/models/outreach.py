"""The outreach aggregate: requests sent to vendors (with their single-use links) and the mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime, one_of

REQUEST_KINDS = ("invitation", "gaps", "reminder", "expiring", "record_hub_code")
EMAIL_STATES = ("queued", "sent", "failed")


class OutreachRequest(TenantScoped, Timestamped, Base):
    """A request to a vendor for documents; the link or code is stored only as a hash."""

    __tablename__ = "outreach_requests"
    __table_args__ = (CheckConstraint(one_of("kind", REQUEST_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    recipient_email: Mapped[str] = mapped_column(String(320), nullable=False)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_users.id", ondelete="SET NULL"))


class SentEmail(TenantScoped, Timestamped, Base):
    """The outbox: one row per email; ``idempotency_key`` makes a retried send harmless."""

    __tablename__ = "sent_emails"
    __table_args__ = (CheckConstraint(one_of("state", EMAIL_STATES), name="state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    outreach_request_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_requests.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(320), nullable=False)
    subject: Mapped[str] = mapped_column(String(998), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
