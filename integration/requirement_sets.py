"""Requirement sets and the carrier table as the GC keeps them: stored, versioned, resolved, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from integration import audit
from integration.compliance.carriers import Carrier, CarrierTable, parse_carriers_csv
from integration.compliance.requirements import RequirementSet as EngineSet
from integration.compliance.tiers import company_default, merge, tier_patch
from integration.extensions import db
from integration.models import AppUser, CarrierRating, Project, RequirementSet
from integration.tenancy import get_scoped, installation_of, scoped


def _row(company_id: int, project_id: int | None, tier: str | None) -> RequirementSet | None:
    return db.session.scalar(scoped(RequirementSet, company_id).where(
        RequirementSet.project_id.is_(None) if project_id is None else RequirementSet.project_id == project_id,
        RequirementSet.trade_tier.is_(None) if tier is None else RequirementSet.trade_tier == tier,
    ))


def default_set(company_id: int) -> tuple[RequirementSet | None, EngineSet]:
    """The company default as stored, or the shipped starting point when the GC has not saved one."""
    row = _row(company_id, None, None)
    return row, (EngineSet.from_dict(row.body) if row else company_default())


def effective_set(company_id: int, project_id: int | None = None, tier: str | None = None) -> EngineSet:
    """Company default <- trade tier (the GC's own, else the shipped one) <- the project's override."""
    _, base = default_set(company_id)
    tier_row = _row(company_id, None, tier) if tier else None
    tier_body = tier_row.body if tier_row else (tier_patch(tier) if tier else None)
    project_row = _row(company_id, project_id, None) if project_id else None
    return merge(base, tier_body, project_row.body if project_row else None)


def save_set(company_id: int, body: dict[str, Any], actor: AppUser | None, *, project_id: int | None = None,
             tier: str | None = None) -> RequirementSet:
    """Validate and store a set (a full set for the default, a merge patch for a tier or project).

    RequirementSetError names each bad field; nothing is written then. The version grows by one.
    """
    _, base = default_set(company_id)
    if project_id is None and tier is None:
        EngineSet.from_dict(body)
    else:
        merge(base, tier_patch(tier) if tier else None, body)  # validates the patch where it will be used
    if project_id is not None and get_scoped(Project, project_id, company_id) is None:
        raise LookupError(f"project {project_id} is not one of this company's projects")
    row = _row(company_id, project_id, tier)
    before = row.body if row else None
    if row is None:
        row = RequirementSet(company_id=company_id, project_id=project_id, trade_tier=tier, version=0)
        db.session.add(row)
    row.body, row.version = body, row.version + 1
    row.name = body.get("name") or row.name
    db.session.flush()
    audit.record(company_id, "requirement_set.saved", row, actor=actor, before=before, after=body)
    return row


def export_sets(company_id: int) -> dict[str, Any]:
    """Every stored set of the company as one JSON-ready document (the shipped default if none saved)."""
    rows = db.session.scalars(scoped(RequirementSet, company_id))
    exported = {"default": default_set(company_id)[1].to_dict(), "tiers": {}, "projects": {}}
    for row in rows:
        if row.trade_tier:
            exported["tiers"][row.trade_tier] = row.body
        elif row.project_id:
            exported["projects"][str(row.project_id)] = row.body
    return exported


def carrier_table(company_id: int) -> CarrierTable:
    """The GC's carrier table (NAIC to AM Best rating)."""
    rows = db.session.scalars(scoped(CarrierRating, company_id))
    return CarrierTable([Carrier(r.naic, r.carrier_name, r.am_best_rating, r.financial_size_class) for r in rows])


def replace_carriers(company_id: int, csv_text: str, actor: AppUser | None) -> int:
    """Replace the carrier table from CSV; CarrierCsvError lists bad rows and nothing changes then."""
    table = parse_carriers_csv(csv_text)
    db.session.execute(delete(CarrierRating).where(CarrierRating.company_id == company_id))
    db.session.add_all(CarrierRating(company_id=company_id, naic=c.naic, carrier_name=c.name,
                                     am_best_rating=c.rating, financial_size_class=c.size_class)
                       for c in table.values())
    audit.record(company_id, "carriers.replaced", subject_type="CarrierTable", actor=actor,
                 after={"carriers": len(table)})
    return len(table)


class RequirementCache:
    """The company's effective sets, carrier table, legal name and project names, read once for many vendors."""

    def __init__(self, company_id: int) -> None:
        self.company_id = company_id
        self._sets: dict[tuple[int | None, str | None], EngineSet] = {}
        self._stored: dict[tuple[int | None, str | None], dict] | None = None  # (project, tier) -> body
        self._base: EngineSet | None = None
        self._carriers: CarrierTable | None = None
        self._names: tuple[str | None, dict[int, str]] | None = None

    def gc_legal_name(self) -> str | None:
        """The general contractor's legal name as Procore has it (the certificate holder by default)."""
        return self._company_names()[0]

    def project_name(self, project_id: int | None) -> str | None:
        """A project's name (schedules of per-project endorsements are matched against it)."""
        return self._company_names()[1].get(project_id) if project_id else None

    def _company_names(self) -> tuple[str | None, dict[int, str]]:
        if self._names is None:
            installation = installation_of(self.company_id)
            legal = installation.company_name if installation else None
            projects = dict(db.session.execute(scoped(Project, self.company_id).with_only_columns(Project.id,
                                                                                               Project.name)).all())
            self._names = (legal or None, projects)
        return self._names

    def effective(self, project_id: int | None, tier: str | None) -> EngineSet:
        """``effective_set`` for this company, remembered per project and tier (the stored sets read once)."""
        key = (project_id, tier)
        if key not in self._sets:
            stored = self._stored_sets()
            if self._base is None:
                default = stored.get((None, None))
                self._base = EngineSet.from_dict(default) if default is not None else company_default()
            tier_body = stored.get((None, tier)) if tier else None
            tier_body = tier_patch(tier) if tier and tier_body is None else tier_body
            project_body = stored.get((project_id, None)) if project_id else None
            self._sets[key] = merge(self._base, tier_body, project_body)
        return self._sets[key]

    def _stored_sets(self) -> dict[tuple[int | None, str | None], dict]:
        if self._stored is None:
            self._stored = {(row.project_id, row.trade_tier): row.body
                            for row in db.session.scalars(scoped(RequirementSet, self.company_id))}
        return self._stored

    def carriers(self) -> CarrierTable:
        """The carrier table, read once."""
        if self._carriers is None:
            self._carriers = carrier_table(self.company_id)
        return self._carriers
