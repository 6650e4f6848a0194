"""The evaluation aggregate: versioned results of checking a vendor against requirements, and gaps."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integration.compliance.results import AppliedOverride, Gap, Location, Outcome
from integration.models.base import Base, TenantScoped, Timestamped, json_type, one_of

STATUSES = ("compliant", "not_compliant", "expired", "under_review", "nothing_received", "evidence_owed", "waived")
GAP_STATES = ("open", "waived", "marked_compliant")
KIND_OF_STATE = {"waived": "waive", "marked_compliant": "mark_compliant"}  # the override that puts a gap in a state


class Evaluation(TenantScoped, Timestamped, Base):
    """One evaluation of a vendor (optionally for one project assignment); earlier ones stay as history."""

    __tablename__ = "evaluations"
    __table_args__ = (
        UniqueConstraint("vendor_id", "assignment_id", "version", name="uq_evaluations_vendor_assignment_version"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_assignments.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    requirement_set_id: Mapped[int | None] = mapped_column(ForeignKey("requirement_sets.id", ondelete="SET NULL"))
    requirement_set_version: Mapped[int | None] = mapped_column(Integer)
    evaluated_for: Mapped[date] = mapped_column(Date, nullable=False)  # the "today" the engine was given
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    line_statuses: Mapped[dict] = mapped_column(json_type(), default=dict)
    results: Mapped[list] = mapped_column(json_type(), default=list)  # one entry per requirement
    # SHA-256 of the results as stored (evaluation_store.results_json): "nothing changed" without reading them
    results_digest: Mapped[str | None] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(64), default="submission")


class CoverageGap(TenantScoped, Base):
    """One thing a person must fix, found by an evaluation: explained, located, and the requirements it covers."""

    __tablename__ = "coverage_gaps"
    __table_args__ = (CheckConstraint(one_of("state", GAP_STATES), name="state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    gap_key: Mapped[str] = mapped_column(String(255), nullable=False)  # stable across evaluations; overrides name it
    code: Mapped[str] = mapped_column(String(64), index=True, nullable=False)
    line: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16), default="fail")  # fail / needs_evidence / needs_review
    expected: Mapped[str | None] = mapped_column(Text)
    found: Mapped[str | None] = mapped_column(Text)
    source: Mapped[dict] = mapped_column(json_type(), default=dict)  # document, page, field
    explanation: Mapped[str] = mapped_column(Text, default="")
    ask: Mapped[str] = mapped_column(Text, default="")
    requirement_keys: Mapped[list] = mapped_column(json_type(), default=list)
    state: Mapped[str] = mapped_column(String(32), default="open")
    override_id: Mapped[int | None] = mapped_column(ForeignKey("overrides.id", ondelete="SET NULL"))

    def to_gap(self) -> Gap:
        """The gap in the engine's terms, with its words for people (title, where, plain text) and its state."""
        kind = KIND_OF_STATE.get(self.state)
        return Gap(key=self.gap_key, code=self.code, outcome=Outcome(self.outcome), line=self.line,
                   expected=self.expected, found=self.found, location=Location.from_dict(self.source),
                   explanation=self.explanation, ask=self.ask, requirement_keys=tuple(self.requirement_keys or ()),
                   override=AppliedOverride(kind, "", None) if kind else None)
