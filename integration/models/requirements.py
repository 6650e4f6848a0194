"""The requirements aggregate: what a GC requires, and the carrier-rating table it checks against."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, json_type


class RequirementSet(TenantScoped, Timestamped, Base):
    """A set of requirements: the company default, a trade tier, or a project's override.

    ``body`` holds the requirement items as the compliance engine's JSON format; ``version``
    grows on every change so evaluations can name the exact version they used.
    """

    __tablename__ = "requirement_sets"
    __table_args__ = (
        UniqueConstraint("company_id", "project_id", "trade_tier", name="uq_requirement_sets_scope"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="Company default")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    trade_tier: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    body: Mapped[dict] = mapped_column(json_type(), default=dict)
    is_starting_point: Mapped[bool] = mapped_column(Boolean, default=False)


class CarrierRating(TenantScoped, Timestamped, Base):
    """One row of the GC's carrier table: an insurer's NAIC number and its AM Best rating."""

    __tablename__ = "carrier_ratings"
    __table_args__ = (UniqueConstraint("company_id", "naic", name="uq_carrier_ratings_company_naic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    naic: Mapped[str] = mapped_column(String(10), nullable=False)
    carrier_name: Mapped[str] = mapped_column(String(255), default="")
    am_best_rating: Mapped[str | None] = mapped_column(String(8))  # None: the carrier is not rated
    financial_size_class: Mapped[int | None] = mapped_column(Integer)  # AM Best size class I..XV as 1..15
