"""The requirement-set editor: a preview counts whose status would flip and writes nothing; saving stores the
set (a patch for tiers and projects) and queues the re-evaluation; bad input names the field and saves nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from integration.evaluations import evaluate_vendor
from integration.extensions import db
from integration.models import AuditEvent, Evaluation, PendingPush, RequirementSet, Vendor
from integration.requirement_sets import effective_set, replace_carriers, save_set
from tests import factories
from tests.conftest import signed_in

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"
COMPANY = 6401
URL = f"/procore/companies/{COMPANY}/requirements/"


def current_certificate() -> dict:
    """The sample certificate, its policies running from a month ago to ten months ahead."""
    cert = json.loads((SAMPLES / "certificate_acme_drywall.json").read_text())
    for policy in cert["policies"]:
        policy["effective_date"] = (date.today() - timedelta(days=30)).isoformat()
        policy["expiration_date"] = (date.today() + timedelta(days=300)).isoformat()
    return cert


@pytest.fixture
def world(app):
    company = factories.company(COMPANY, "Summit Builders, Inc.", "Acme Drywall", legal_name="Acme Drywall, LLC")
    save_set(COMPANY, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    replace_carriers(COMPANY, (SAMPLES / "carriers.csv").read_text(), None)
    factories.certificate(company.vendor, current_certificate())
    other = factories.vendor(COMPANY, "Bay Roofing", trade_tier="high_risk")
    factories.company(COMPANY + 1)
    db.session.commit()
    for vendor in (company.vendor, other):
        evaluate_vendor(COMPANY, vendor.id, date.today())
    db.session.commit()
    return company


def form_of(company_id: int, **changes: str) -> dict[str, str]:
    """The editor's form as the browser would send it for the current default, with ``changes``."""
    body = effective_set(company_id).to_dict()
    form = {"settings.min_days_before_expiry": str(body["settings"]["min_days_before_expiry"]),
            "settings.min_insurer_rating": body["settings"]["min_insurer_rating"] or ""}
    if body["settings"]["endorsement_copies_required"]:
        form["settings.endorsement_copies_required"] = "on"
    for line, spec in body["lines"].items():
        form[f"{line}.required"] = "on"
        for key, amount in spec["limits"].items():
            form[f"{line}.limits.{key}"] = f"{amount:,}"
        form.update({f"{line}.{flag}": "on" for flag, on in spec.items() if on is True})
    return {**form, **changes}


def counts() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (RequirementSet, Evaluation, AuditEvent, PendingPush))


def test_the_editor_shows_the_default_and_who_is_held_to_which_set(app, world):
    page = signed_in(app, world["admin"]).get(URL).get_data(as_text=True)
    assert "Requirements · Company default" in page and 'value="1,000,000"' in page
    assert "Acme Drywall" in page and "High-risk trades" in page  # Bay Roofing's tier, in the held-to table


def test_a_preview_counts_the_vendors_that_would_flip_and_writes_nothing(app, world):
    assert db.session.get(Vendor, world.vendor.id).status == "compliant"
    before = counts()
    page = signed_in(app, world["admin"]).post(URL, data=form_of(
        COMPANY, **{"general_liability.limits.each_occurrence": "3,000,000", "action": "preview"}))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Saving would change the status of 1 of 2 vendors" in text and "Acme Drywall" in text
    db.session.expire_all()
    assert counts() == before and db.session.get(Vendor, world.vendor.id).status == "compliant"
    assert effective_set(COMPANY).lines["general_liability"].limits["each_occurrence"] == 1_000_000


def test_the_preview_decides_each_status_as_an_evaluation_would_and_writes_none(app, world):
    from integration.evaluations import decided_statuses

    ids = sorted(db.session.scalars(select(Vendor.id).where(Vendor.company_id == COMPANY)))
    before = counts()
    decided = decided_statuses(COMPANY, ids, date.today())
    assert counts() == before
    for vendor_id in ids:
        evaluate_vendor(COMPANY, vendor_id, date.today())
    db.session.commit()
    assert len(set(decided.values())) > 1  # (vendors of different standing, so the comparison can fail)
    assert decided == {vendor_id: db.session.get(Vendor, vendor_id).status for vendor_id in ids}


def test_saving_stores_the_set_and_queues_the_re_evaluation_that_flips_the_vendor(app, world):
    client = signed_in(app, world["admin"])
    response = client.post(URL, data=form_of(
        COMPANY, **{"general_liability.limits.each_occurrence": "3,000,000", "action": "save"}))
    assert response.status_code == 303
    assert "re-evaluating 2 vendors now" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert effective_set(COMPANY).lines["general_liability"].limits["each_occurrence"] == 3_000_000
    assert db.session.get(Vendor, world.vendor.id).status == "not_compliant"  # the queued job ran (embedded mode)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "requirement_set.saved")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.actor_user_id == world["admin"].id


def test_a_tier_is_saved_as_a_patch_over_the_default(app, world):
    url = f"{URL}tiers/light"
    form = form_of(COMPANY, **{"automobile_liability.limits.combined_single_limit": "500,000", "action": "save"})
    assert signed_in(app, world["admin"]).post(url, data=form).status_code == 303
    row = db.session.scalar(select(RequirementSet).where(RequirementSet.company_id == COMPANY,
                                                         RequirementSet.trade_tier == "light"))
    assert row.body["lines"] == {"automobile_liability": {"limits": {"combined_single_limit": 500_000}}}
    assert effective_set(COMPANY, tier="light").lines["automobile_liability"].limits["combined_single_limit"] == 500_000


@pytest.mark.parametrize(("field", "raw", "says"), [
    ("general_liability.limits.each_occurrence", "a million", "General liability, each occurrence: enter a whole"),
    ("settings.min_days_before_expiry", "-3", "Days a policy must still run: enter a whole number"),
    ("settings.min_insurer_rating", "Q", "Lowest AM Best rating: enter a rating"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(app, world, field, raw, says):
    before = counts()
    response = signed_in(app, world["admin"]).post(URL, data=form_of(COMPANY, **{field: raw, "action": "save"}))
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was saved." in text and says in text
    assert f'value="{raw}"' in text  # what was typed is kept for correcting
    previewed = signed_in(app, world["admin"]).post(URL, data=form_of(COMPANY, **{field: raw, "action": "preview"}))
    assert previewed.status_code == 400 and "Nothing was previewed: correct these first." in previewed.get_data(
        as_text=True) and "Nothing was saved." not in previewed.get_data(as_text=True)
    db.session.expire_all()
    assert counts() == before


def test_the_editor_refuses_non_admins_and_foreign_or_unknown_sets(app, world):
    assert signed_in(app, world["compliance_manager"]).get(URL).status_code == 403
    foreign = factories.project(COMPANY + 1, name="Elsewhere")
    db.session.commit()
    admin = signed_in(app, world["admin"])
    assert admin.get(f"{URL}projects/{foreign.procore_project_id}").status_code == 404
    assert admin.get(f"{URL}tiers/platinum").status_code == 404
    assert admin.post(f"{URL}tiers/platinum", data=form_of(COMPANY, action="save")).status_code == 404


def test_a_project_set_reaches_only_the_projects_vendors(app, world):
    project = factories.project(COMPANY, name="Riverside Clinic")
    factories.assignment(project, world.vendor)
    db.session.commit()
    page = signed_in(app, world["admin"]).post(f"{URL}projects/{project.procore_project_id}", data=form_of(
        COMPANY, **{"general_liability.limits.each_occurrence": "3,000,000", "action": "preview"}))
    assert "Saving would change the status of 1 of 1 vendor." in page.get_data(as_text=True)
