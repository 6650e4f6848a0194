"""The Compliance Hub aggregate: outside accounts (an owner, a lender, an auditor), their projects and members.

An account is one organisation the GC lets in; its members are people who sign in by emailed link.
Members of one account see the same projects, so a teammate a member invites never gets more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime


class ComplianceHubAccount(TenantScoped, Timestamped, Base):
    """An organisation outside the GC with access to some of its projects' certificates."""

    __tablename__ = "compliance_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    # Downloading the filtered certificates as one ZIP is off until a GC admin turns it on.
    bulk_download: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_users.id", ondelete="SET NULL"))


class ComplianceHubProject(TenantScoped, Base):
    """A project an account's members may see."""

    __tablename__ = "compliance_account_projects"
    __table_args__ = (UniqueConstraint("account_id", "project_id",
                                       name="uq_compliance_account_projects_account_project"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("compliance_accounts.id", ondelete="CASCADE"),
                                            nullable=False)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True,
                                            nullable=False)


class ComplianceHubMember(TenantScoped, Timestamped, Base):
    """A person of an account who signs in with a magic link; revoking ends their sessions at once."""

    __tablename__ = "compliance_members"
    __table_args__ = (UniqueConstraint("company_id", "email", name="uq_compliance_members_company_email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("compliance_accounts.id", ondelete="CASCADE"), index=True,
                                            nullable=False)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    name: Mapped[str] = mapped_column(String(255), default="")
    invited_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_users.id", ondelete="SET NULL"))
    invited_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("compliance_members.id",
                                                                        ondelete="SET NULL"))
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Each hub session carries this; revoking bumps it, so a signed-in browser loses access on its next request.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def active(self) -> bool:
        """True while the member's access has not been revoked."""
        return self.revoked_at is None
