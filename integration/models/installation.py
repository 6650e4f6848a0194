"""The installation aggregate: one Procore company that connected Gapline, and its users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime, json_type, one_of

CONNECTION_STATES = ("pending", "connected", "disconnected")
ROLES = ("admin", "compliance_manager", "viewer")
GAP_EMAIL_MODES = ("automatic", "manual")


class Installation(Timestamped, Base):
    """A GC's Procore company with Gapline installed: tokens (encrypted) and settings."""

    __tablename__ = "installations"
    __table_args__ = (
        CheckConstraint(one_of("connection_state", CONNECTION_STATES), name="connection_state"),
        CheckConstraint(one_of("gap_email_mode", GAP_EMAIL_MODES), name="gap_email_mode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(BigInteger, unique=True, nullable=False)
    company_name: Mapped[str] = mapped_column(String(255), default="")
    connection_state: Mapped[str] = mapped_column(String(16), default="pending")
    installed_by_procore_user_id: Mapped[int | None] = mapped_column(BigInteger)
    # Tokens are Fernet ciphertext; integration.crypto is the only reader and writer.
    access_token_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    refresh_token_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disconnected_reason: Mapped[str | None] = mapped_column(String(255))
    # Each session carries this; disconnecting bumps it, which ends every session of the company at once.
    session_generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Settings an admin edits (coverage rules live in the requirement sets, not here).
    logo_url: Mapped[str | None] = mapped_column(String(1024))
    gap_email_mode: Mapped[str] = mapped_column(String(16), default="automatic")
    settings: Mapped[dict] = mapped_column(json_type(), default=dict)


class AppUser(TenantScoped, Timestamped, Base):
    """A Procore user of the GC's company who has signed in to Gapline, with a Gapline role."""

    __tablename__ = "app_users"
    __table_args__ = (
        UniqueConstraint("company_id", "procore_user_id", name="uq_app_users_company_user"),
        CheckConstraint(one_of("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procore_user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    email: Mapped[str] = mapped_column(String(320), default="")
    name: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(32), default="viewer")
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Each session carries this; signing in or out bumps it, so an older session cookie stops working.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What Procore showed this user at their last sign-in (integration.procore_visibility): the companies and the
    # company's projects they can see, and when; None when it could not be read.
    procore_company_ids: Mapped[list | None] = mapped_column(json_type())
    procore_project_ids: Mapped[list | None] = mapped_column(json_type())
    visibility_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
