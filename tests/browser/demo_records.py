"""Certificates for the demo's imported vendors, so the browser tests and the screenshots show every kind of row:
compliant, expiring soon, a missing line, a low limit and an expired policy (dates counted from today)."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path

from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.models import Installation, Project, ProjectAssignment, Vendor
from integration.requirement_sets import replace_carriers, save_set
from tests import factories

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"
FIXTURE = SAMPLES / "certificate_acme_drywall.json"
SHAPES = ("compliant", "expiring", "no_umbrella", "low_limit", "expired", "compliant", "no_umbrella")


def shaped(shape: str, vendor: Vendor, holder: str, today: date) -> dict:
    """The fixture certificate made out to ``vendor`` and ``holder``, in ``shape``."""
    cert = copy.deepcopy(json.loads(FIXTURE.read_text(encoding="utf-8")))
    ends = today + timedelta(days={"expiring": 18, "expired": -10}.get(shape, 240))
    cert["file"], cert["issued_on"] = f"{vendor.name} COI.pdf", (ends - timedelta(days=370)).isoformat()
    cert["named_insured"]["name"], cert["certificate_holder"]["name"] = vendor.legal_name or vendor.name, holder
    for policy in cert["policies"]:
        policy["effective_date"], policy["expiration_date"] = (ends - timedelta(days=365)).isoformat(), ends.isoformat()
        if shape == "low_limit" and policy["line"] == "general_liability":
            policy["limits"]["each_occurrence"] = 500_000
    if shape == "no_umbrella":
        cert["policies"] = [p for p in cert["policies"] if p["line"] != "umbrella_liability"]
    return cert


def give_certificates(company_id: int, procore_project_id: int, count: int = len(SHAPES)) -> list[str]:
    """Hold the company to the sample requirements and give the project's first ``count`` vendors (by name) a
    certificate each; return their names."""
    today = date.today()
    save_set(company_id, json.loads((SAMPLES / "requirements_standard.json").read_text(encoding="utf-8")), None)
    replace_carriers(company_id, (SAMPLES / "carriers.csv").read_text(encoding="utf-8"), None)
    holder = db.session.scalar(db.select(Installation.company_name).where(Installation.company_id == company_id))
    vendors = db.session.scalars(
        db.select(Vendor).join(ProjectAssignment, ProjectAssignment.vendor_id == Vendor.id)
        .join(Project, Project.id == ProjectAssignment.project_id)
        .where(Vendor.company_id == company_id, Project.procore_project_id == procore_project_id)
        .order_by(Vendor.name).limit(count)).all()
    for vendor, shape in zip(vendors, SHAPES, strict=False):
        factories.certificate(vendor, shaped(shape, vendor, holder, today), channel="staff_upload",
                              submission={"state": "evaluated", "submitted_by_email": "office@gc.test"})
        db.session.commit()
        evaluate_vendor(company_id, vendor.id, today)
        db.session.commit()
    return [vendor.name for vendor in vendors]
