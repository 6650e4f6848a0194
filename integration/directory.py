"""The GC's directory as Gapline keeps it: upserts of Procore projects, vendors, contacts and assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from integration.extensions import db
from integration.models import Project, ProjectAssignment, Vendor, VendorContact


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def upsert_project(company_id: int, payload: dict[str, Any]) -> Project:
    """Create or update a project from Procore's project payload."""
    project = db.session.scalar(select(Project).where(
        Project.company_id == company_id, Project.procore_project_id == payload["id"]))
    if project is None:
        project = Project(company_id=company_id, procore_project_id=payload["id"])
        db.session.add(project)
    project.name = payload.get("name") or project.name or ""
    project.project_number = payload.get("project_number")
    project.active = bool(payload.get("active", True))
    return project


def upsert_vendor(company_id: int, payload: dict[str, Any]) -> Vendor:
    """Create or update a vendor from Procore's company-vendor payload (keeps Gapline's own fields)."""
    vendor = db.session.scalar(select(Vendor).where(
        Vendor.company_id == company_id, Vendor.procore_vendor_id == payload["id"]))
    if vendor is None:
        vendor = Vendor(company_id=company_id, procore_vendor_id=payload["id"])
        db.session.add(vendor)
    vendor.name = payload.get("name") or vendor.name or ""
    vendor.legal_name = payload.get("legal_name") or vendor.legal_name
    vendor.email = payload.get("email_address") or vendor.email
    vendor.active = bool(payload.get("is_active", True))
    trades = [t.get("name") for t in payload.get("trades") or [] if t.get("name")]
    vendor.trade = ", ".join(trades) or vendor.trade
    vendor.procore_updated_at = _parse_time(payload.get("updated_at"))
    return vendor


def upsert_contact(company_id: int, vendor: Vendor, payload: dict[str, Any]) -> VendorContact | None:
    """Create or update a vendor contact from a Procore user payload; users without email are skipped."""
    email = (payload.get("email_address") or "").strip().lower()
    if not email:
        return None
    contact = db.session.scalar(select(VendorContact).where(
        VendorContact.vendor_id == vendor.id, VendorContact.email == email))
    if contact is None:
        contact = VendorContact(company_id=company_id, vendor_id=vendor.id, email=email)
        db.session.add(contact)
    contact.procore_user_id = payload.get("id")
    contact.name = payload.get("name") or " ".join(
        p for p in (payload.get("first_name"), payload.get("last_name")) if p)
    contact.is_insurance_contact = bool(payload.get("is_insurance_manager"))
    return contact


def assign(company_id: int, project: Project, vendor: Vendor) -> ProjectAssignment:
    """Record that ``vendor`` works on ``project`` (idempotent)."""
    assignment = db.session.scalar(select(ProjectAssignment).where(
        ProjectAssignment.project_id == project.id, ProjectAssignment.vendor_id == vendor.id))
    if assignment is None:
        assignment = ProjectAssignment(company_id=company_id, project_id=project.id, vendor_id=vendor.id)
        db.session.add(assignment)
    return assignment
