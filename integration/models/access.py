"""The access aggregate: one-time codes and single-use tokens (stored only as keyed hashes) and rate-limit hits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base, Timestamped, UTCDateTime


class OneTimeToken(Timestamped, Base):
    """A secret sent to someone once: a 6-digit code or a link token, with its expiry and attempt count.

    ``subject`` is who it was issued to (an email address, a user); ``purpose`` keeps a code for one
    thing from opening another. Only an HMAC of the secret is kept.
    """

    __tablename__ = "one_time_tokens"
    __table_args__ = (Index("ix_one_time_tokens_purpose_subject", "purpose", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    subject: Mapped[str] = mapped_column(String(320), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)


class RateEvent(Base):
    """One counted action (a code asked for, a code tried) under a limit's bucket, keyed by a hash of who."""

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_bucket_key_at", "bucket", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(64), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
