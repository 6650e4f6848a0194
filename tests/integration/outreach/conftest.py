"""A GC with requirements, a project and a subcontractor, and the helpers outreach tests share."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import current_app

from integration.extensions import db
from integration.models import Project, StoredFile, Vendor
from integration.reading import read_submission
from integration.requirement_sets import replace_carriers, save_set
from tests import factories

SAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "compliance"
MONDAY = date(2026, 3, 2)  # day 0 of the cadence tests; the sample certificate is good until 2027-01-01
GC = "Summit Builders, Inc."


@dataclass
class World:
    """The GC's company, its admin and viewer, one project and the subcontractor working on it."""

    company: factories.Company
    project: Project
    vendor: Vendor

    def __getitem__(self, role: str):
        return self.company[role]


def make_world(company_id: int = 10, gc: str = GC, vendor_email: str = "office@acme.test",
               logo_url: str | None = "https://cdn.summit.test/logo.png") -> World:
    """A connected GC with the sample requirements and carriers, a project and a vendor on it."""
    company = factories.company(company_id, gc, "Acme Drywall", legal_name="Acme Drywall, LLC", email=vendor_email)
    company.installation.logo_url = logo_url
    save_set(company_id, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    replace_carriers(company_id, (SAMPLES / "carriers.csv").read_text(), None)
    project = factories.project(company_id, "Riverside Clinic", project_number="RC-1042")
    factories.assignment(project, company.vendor)
    db.session.commit()
    return World(company, project, company.vendor)


@pytest.fixture
def world(database) -> World:
    """The GC (company 10) and its subcontractor, on SQLite and PostgreSQL."""
    return make_world()


@pytest.fixture
def web(world):
    """A test client of the app ``world`` lives in (SQLite or PostgreSQL)."""
    return current_app.test_client()


def sample_certificate(**limits: int) -> dict:
    """The sample certificate: compliant with the sample requirements; a lower GL limit makes a gap."""
    cert = copy.deepcopy(json.loads((SAMPLES / "certificate_acme_drywall.json").read_text()))
    gl = next(p for p in cert["policies"] if p["line"] == "general_liability")
    gl["limits"].update(limits)
    return cert


def answer(vendor: Vendor, cert: dict, today: date = MONDAY, request=None):
    """The vendor sends ``cert`` (already read) and the reading job finishes it: evaluation, then outreach."""
    row = factories.certificate(vendor, cert, submission={"outreach_request_id": request.id if request else None})
    db.session.commit()
    return read_submission(vendor.company_id, db.session.get(StoredFile, row.stored_file_id).submission_id, today)
