"""The count of committed writes per company, as rows that are only ever added (the cached pages' key).

Each transaction that wrote a company's rows adds one row of weight 1 for it; now and then a writer folds a
company's older rows into one row of their summed weight. The sum per company so rises by at least one with
every commit, whichever order transactions commit in, and no writer ever waits on another's row. Not tenant
data and not keyed to the installation (company 0 stands for writes whose company is not known):
``integration.page_generation`` writes it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from integration.models.base import Base


class PageWrite(Base):
    """``weight`` committed transactions that wrote the company's rows (company 0: rows of a company not known)."""

    __tablename__ = "page_writes"
    __table_args__ = (Index("ix_page_writes_company_id", "company_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True)
    company_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    weight: Mapped[int] = mapped_column(BigInteger, nullable=False, default=1, server_default="1")
