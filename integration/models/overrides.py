"""The override aggregate: a person's decision to waive a gap or mark it compliant."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime, one_of

OVERRIDE_KINDS = ("waive", "mark_compliant")


class Override(TenantScoped, Timestamped, Base):
    """Waive or mark compliant one gap for a vendor (or one assignment), with a reason."""

    __tablename__ = "overrides"
    __table_args__ = (
        CheckConstraint(one_of("kind", OVERRIDE_KINDS), name="kind"),
        CheckConstraint("length(reason) > 0", name="reason_given"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("project_assignments.id", ondelete="CASCADE"))
    gap_key: Mapped[str] = mapped_column(String(255), nullable=False)
    gap_label: Mapped[str] = mapped_column(Text, default="")  # the gap as the person saw it when they decided
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    expires_on: Mapped[date | None] = mapped_column(Date)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("app_users.id", ondelete="RESTRICT"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_users.id", ondelete="RESTRICT"))
