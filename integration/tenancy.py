"""Tenant isolation: every read of tenant data goes through these, scoped to one Procore company."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from integration.extensions import db
from integration.models import Installation, Project

T = TypeVar("T")


def scoped(model: type[T], company_id: int) -> Select:
    """A SELECT of ``model`` limited to rows of the Procore company ``company_id``."""
    return select(model).where(model.company_id == company_id)


def get_scoped(model: type[T], row_id: int, company_id: int) -> T | None:
    """The row with this id if it belongs to ``company_id``; None for a foreign or missing row."""
    return db.session.scalars(scoped(model, company_id).where(model.id == row_id)).first()


def installation_of(company_id: int, session: Session | None = None) -> Installation | None:
    """The company's installation (its connection and settings); None when it never connected.

    ``session`` is for the token store, which reads and saves on a session of its own.
    """
    return (session or db.session).scalar(scoped(Installation, company_id))


def project_in_company(company_id: int, procore_project_id: int) -> Project | None:
    """The company's project with this Procore id; None for another company's project or an unknown one."""
    return db.session.scalar(scoped(Project, company_id).where(Project.procore_project_id == procore_project_id))
