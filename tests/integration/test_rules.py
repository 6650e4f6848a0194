"""Each rule has one home: who may manage, what a refusal is, how a company's installation is found."""

from __future__ import annotations

import pytest

from integration.compliance.carriers import CarrierCsvError
from integration.compliance.requirements import RequirementSetError
from integration.connections import SignInRefused
from integration.extensions import db
from integration.extraction.intake import IntakeError
from integration.models import AppUser, Override
from integration.models.base import utcnow
from integration.overrides import OverrideRefused
from integration.refusals import Refusal
from integration.review import ReviewError
from integration.roles import can_manage, is_admin
from integration.submissions import SubmissionRefused
from integration.tenancy import installation_of
from tests import factories
from tests.conftest import signed_in


@pytest.mark.parametrize(("role", "manages", "administers"), [
    ("admin", True, True), ("compliance_manager", True, False), ("viewer", False, False), ("Admin", False, False),
])
def test_who_may_manage_and_administer(role, manages, administers):
    user = AppUser(company_id=1, procore_user_id=1, role=role)
    assert (can_manage(user), is_admin(user)) == (manages, administers)


def test_nobody_signed_in_may_do_nothing():
    assert not can_manage(None) and not is_admin(None)


@pytest.mark.parametrize(("role", "sees_review"), [("compliance_manager", True), ("viewer", False)])
def test_templates_ask_the_same_rule(app, role, sees_review):
    world = factories.company(5)
    db.session.commit()
    page = signed_in(app, world[role]).get(f"/procore/companies/5/vendors/{world.vendor.id}").get_data(as_text=True)
    assert ("Review queue" in page) is sees_review
    assert ("Upload documents you already have" in page) is sees_review


@pytest.mark.parametrize("refusal", [SubmissionRefused, SignInRefused, OverrideRefused, ReviewError, IntakeError,
                                     RequirementSetError, CarrierCsvError])
def test_every_refusal_is_a_refusal_with_a_message(refusal):
    assert issubclass(refusal, Refusal)
    made = refusal("f.pdf", "rule", "Say why.") if refusal is IntakeError else refusal(["Say why."]) \
        if refusal in (RequirementSetError, CarrierCsvError) else refusal("Say why.")
    assert "Say why." in made.message and 400 <= made.status < 500


def test_an_uncaught_refusal_renders_its_status_and_message(app):
    world = factories.company(5)
    db.session.flush()
    ended = Override(company_id=5, vendor_id=world.vendor.id, gap_key="certificate.holder", kind="waive",
                     reason="Owner accepts", created_by_user_id=world["admin"].id, revoked_at=utcnow())
    db.session.add(ended)
    db.session.commit()
    page = signed_in(app, world["admin"]).post(f"/procore/companies/5/overrides/{ended.id}/revoke",
                                               data={"confirm": "yes"})
    assert page.status_code == 403
    assert f"Override {ended.id} is not an active override of this company." in page.get_data(as_text=True)


def test_installation_of_finds_only_that_company(app):
    mine = factories.installation(5)
    factories.installation(6)
    assert installation_of(5) is mine and installation_of(7) is None
