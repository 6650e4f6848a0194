"""The outreach aggregate: requests sent to vendors, the mail outbox, and who asked for no reminders."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, TenantScoped, Timestamped, UTCDateTime, json_type, one_of

REQUEST_KINDS = ("invitation", "renewal")
REQUEST_STATES = ("open", "non_responsive", "closed")
SEQUENCES = ("invitation", "gaps", "renewal")
CLOSED_REASONS = ("compliant", "cancelled")
EMAIL_KINDS = ("invitation", "reminder", "gaps", "result", "renewal", "digest", "new_link", "non_responsive",
               "hub_code", "compliance_link")
EMAIL_STATES = ("queued", "sending", "sent", "failed")


class OutreachRequest(TenantScoped, Timestamped, Base):
    """A request to a vendor for insurance documents (for one project, or company-wide) and its email sequence.

    The upload link is signed, never stored: it names this row, which says whether the link still works.
    """

    __tablename__ = "outreach_requests"
    __table_args__ = (
        CheckConstraint(one_of("kind", REQUEST_KINDS), name="kind"),
        CheckConstraint(one_of("state", REQUEST_STATES), name="state"),
        CheckConstraint(f"sequence IS NULL OR {one_of('sequence', SEQUENCES)}", name="sequence"),
        CheckConstraint(f"closed_reason IS NULL OR {one_of('closed_reason', CLOSED_REASONS)}", name="closed_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    recipient_email: Mapped[str] = mapped_column(String(320), nullable=False, index=True)
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    closed_reason: Mapped[str | None] = mapped_column(String(16))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The running email sequence (None: stopped while a person reviews, or until the GC sends the gaps).
    sequence: Mapped[str | None] = mapped_column(String(16))
    sequence_number: Mapped[int] = mapped_column(Integer, default=0)  # grows with each new sequence
    sequence_started_on: Mapped[date | None] = mapped_column(Date)
    sequence_emails: Mapped[int] = mapped_column(Integer, default=0)
    renewal_of: Mapped[date | None] = mapped_column(Date)  # renewal requests: the expiry date they are about


class SentEmail(Timestamped, Base):
    """The outbox: one row per email, written in the transaction that causes it.

    ``idempotency_key`` makes a second write of the same email a no-op, and the state machine
    (queued, sending, sent | failed) makes a retried or duplicated delivery job send it once.
    ``company_id`` is None for mail that belongs to no one GC (a Record Hub code, a digest across GCs).
    """

    __tablename__ = "sent_emails"
    __table_args__ = (
        CheckConstraint(one_of("state", EMAIL_STATES), name="state"),
        CheckConstraint(one_of("kind", EMAIL_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    company_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("installations.company_id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    to_address: Mapped[str] = mapped_column(String(320), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(998), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(json_type(), default=dict)  # List-Unsubscribe and the like
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a sender's lease while sending
    last_error: Mapped[str | None] = mapped_column(Text)
    recipient_refused: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SentEmailRequest(TenantScoped, Base):
    """Which requests an email was about: a vendor's history reads its emails through these, per company."""

    __tablename__ = "sent_email_requests"
    __table_args__ = (UniqueConstraint("sent_email_id", "outreach_request_id", name="uq_sent_email_requests_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_email_id: Mapped[int] = mapped_column(ForeignKey("sent_emails.id", ondelete="CASCADE"), index=True)
    outreach_request_id: Mapped[int] = mapped_column(ForeignKey("outreach_requests.id", ondelete="CASCADE"),
                                                     index=True)


class EmailOptOut(Timestamped, Base):
    """An address that asked (by List-Unsubscribe) for no more reminders; requests and results still go."""

    __tablename__ = "email_opt_outs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
