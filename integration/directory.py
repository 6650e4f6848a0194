"""The GC's directory as Gapline keeps it: upserts of Procore projects, vendors, contacts and assignments.

A ``DirectoryIndex`` loads the company's existing rows once, so an import of thousands of vendors
costs a handful of queries rather than one per vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from integration.compliance.tiers import tier_for_trades
from integration.extensions import db
from integration.models import Project, ProjectAssignment, Vendor, VendorContact
from integration.tenancy import scoped


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@dataclass
class DirectoryIndex:
    """One company's projects, vendors, contacts and assignments, keyed for upserts."""

    company_id: int
    projects: dict[int, Project] = field(default_factory=dict)
    vendors: dict[int, Vendor] = field(default_factory=dict)
    contacts: dict[tuple[int, str], VendorContact] = field(default_factory=dict)
    assignments: dict[tuple[int, int], ProjectAssignment] = field(default_factory=dict)

    @classmethod
    def load(cls, company_id: int) -> DirectoryIndex:
        """Read the company's existing directory rows (four queries)."""
        def rows(model):
            return db.session.scalars(scoped(model, company_id))

        return cls(
            company_id,
            {p.procore_project_id: p for p in rows(Project)},
            {v.procore_vendor_id: v for v in rows(Vendor)},
            {(c.vendor_id, c.email): c for c in rows(VendorContact)},
            {(a.project_id, a.vendor_id): a for a in rows(ProjectAssignment)},
        )

    @classmethod
    def load_for(cls, company_id: int, procore_vendor_ids: list[int]) -> DirectoryIndex:
        """The company's projects, and only the named vendors with their contacts and assignments (for events)."""
        index = cls(company_id, {p.procore_project_id: p for p in db.session.scalars(scoped(Project, company_id))})
        index.add_vendors(procore_vendor_ids)
        return index

    def add_vendors(self, procore_vendor_ids: list[int]) -> None:
        """Read these vendors' rows, contacts and assignments too, unless they are read already."""
        wanted = sorted(set(procore_vendor_ids) - set(self.vendors))
        if not wanted:
            return
        vendors = list(db.session.scalars(scoped(Vendor, self.company_id).where(Vendor.procore_vendor_id.in_(wanted))))
        self.vendors.update({v.procore_vendor_id: v for v in vendors})
        ids = [v.id for v in vendors]
        for contact in db.session.scalars(scoped(VendorContact, self.company_id)
                                          .where(VendorContact.vendor_id.in_(ids))):
            self.contacts[(contact.vendor_id, contact.email)] = contact
        for assigned in db.session.scalars(scoped(ProjectAssignment, self.company_id)
                                           .where(ProjectAssignment.vendor_id.in_(ids))):
            self.assignments[(assigned.project_id, assigned.vendor_id)] = assigned

    def project(self, payload: dict[str, Any]) -> Project:
        """Create or update a project from Procore's project payload."""
        project = self.projects.get(payload["id"])
        if project is None:
            project = self.projects[payload["id"]] = Project(company_id=self.company_id,
                                                              procore_project_id=payload["id"])
            db.session.add(project)
        project.name = payload.get("name") or project.name or ""
        project.project_number = payload.get("project_number")
        project.active = bool(payload.get("active", True))
        return project

    def vendor(self, payload: dict[str, Any]) -> Vendor:
        """Create or update a vendor from Procore's company-vendor payload (Gapline's own fields are kept)."""
        vendor = self.vendors.get(payload["id"])
        if vendor is None:
            vendor = self.vendors[payload["id"]] = Vendor(company_id=self.company_id, procore_vendor_id=payload["id"])
            db.session.add(vendor)
        vendor.name = payload.get("name") or vendor.name or ""
        vendor.legal_name = payload.get("legal_name") or vendor.legal_name
        vendor.email = payload.get("email_address") or vendor.email
        vendor.active = bool(payload.get("is_active", True))
        trades = [t.get("name") for t in payload.get("trades") or [] if t.get("name")]
        vendor.trade = ", ".join(trades) or vendor.trade
        vendor.trade_tier = tier_for_trades(trades) or vendor.trade_tier
        vendor.procore_updated_at = _parse_time(payload.get("updated_at"))
        return vendor

    def contact(self, vendor: Vendor, payload: dict[str, Any]) -> VendorContact | None:
        """Create or update a vendor contact from a Procore user payload; users without email are skipped."""
        email = (payload.get("email_address") or "").strip().lower()
        if not email:
            return None
        contact = self.contacts.get((vendor.id, email))
        if contact is None:
            contact = VendorContact(company_id=self.company_id, vendor_id=vendor.id, email=email)
            self.contacts[(vendor.id, email)] = contact
            db.session.add(contact)
        contact.procore_user_id = payload.get("id")
        contact.name = payload.get("name") or " ".join(
            p for p in (payload.get("first_name"), payload.get("last_name")) if p)
        if "is_insurance_manager" in payload:  # only the single-user endpoint carries it, not Procore's users list
            contact.is_insurance_contact = bool(payload["is_insurance_manager"])
        return contact

    def assign(self, project: Project, vendor: Vendor) -> ProjectAssignment:
        """Record that ``vendor`` works on ``project`` (idempotent)."""
        assignment = self.assignments.get((project.id, vendor.id))
        if assignment is None:
            assignment = ProjectAssignment(company_id=self.company_id, project_id=project.id, vendor_id=vendor.id)
            self.assignments[(project.id, vendor.id)] = assignment
            db.session.add(assignment)
        return assignment
