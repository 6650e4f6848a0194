"""Two projects of the same name are told apart by their number in the table's project picker and in the Compliance
Hub's invitation checkboxes, as the requirement tabs show them."""

from __future__ import annotations

from integration.extensions import db
from tests import factories
from tests.conftest import signed_in

C = 63


def _twins(app):
    world = factories.company(C, "Redwood General Contractors")
    first = factories.project(C, "Columbus Elementary School", project_number="CES-1")
    factories.project(C, "Columbus Elementary School", project_number="CES-2")
    db.session.commit()
    return signed_in(app, world["admin"]), first


def test_the_project_picker_names_each_project_with_its_number(app):
    admin, first = _twins(app)
    page = admin.get(f"/procore/companies/{C}/projects/{first.procore_project_id}").get_data(as_text=True)
    picker = page.split('id="project-picker"', 1)[1].split("</select>", 1)[0]
    assert "Columbus Elementary School (CES-1)</option>" in picker
    assert "Columbus Elementary School (CES-2)</option>" in picker


def test_the_compliance_hub_invitation_names_each_project_with_its_number(app):
    admin, _ = _twins(app)
    page = admin.get(f"/procore/companies/{C}/compliance-hub").get_data(as_text=True)
    boxes = page.split('class="project-boxes"', 1)[1].split("</fieldset>", 1)[0]
    assert "Columbus Elementary School (CES-1)</label>" in boxes
    assert "Columbus Elementary School (CES-2)</label>" in boxes
