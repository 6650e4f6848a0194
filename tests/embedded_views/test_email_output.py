"""No email leaves a template tag unrendered: every kind Gapline writes, in both its parts and its subject."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from integration.compliance_hub.access import Invitee, invite_to_new_account
from integration.compliance_hub.links import request_links
from integration.extensions import db
from integration.models import SentEmail
from integration.outreach.cadence import run_cadence
from integration.outreach.hub import send_code
from integration.outreach.requests import request_documents, send_gaps
from tests.integration.outreach.conftest import MONDAY, answer, make_world, sample_certificate

TEMPLATE_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


def test_no_email_leaves_a_template_tag_in_what_people_read(database):
    world = make_world()
    world.company.installation.gap_email_mode = "manual"
    request = request_documents(10, world.vendor.id, world.project.id, world["admin"], MONDAY)
    answer(world.vendor, sample_certificate(each_occurrence=500_000), request=request)
    send_gaps(10, world.vendor.id, world.project.id, world["compliance_manager"], MONDAY)
    for days in (2, 5, 8, 12):  # the reminders, then the GC told the vendor is non-responsive
        run_cadence(MONDAY + timedelta(days=days))
    invite_to_new_account(10, world["admin"], Invitee.typed("owner@clinic.test", "Olive Owner"), "Clinic Owners",
                          [world.project.id])
    request_links("owner@clinic.test", "127.0.0.1")  # the sign-in link, besides the invitation
    send_code("office@acme.test", "127.0.0.1")
    db.session.commit()
    emails = db.session.scalars(select(SentEmail)).all()
    kinds = {email.kind for email in emails}
    assert {"invitation", "gaps", "compliance_link", "hub_code"} <= kinds, kinds
    assert len([e for e in emails if e.kind == "compliance_link"]) == 2
    for email in emails:
        for part in (email.subject, email.body_text, email.body_html or ""):
            assert not TEMPLATE_TAG.search(part), (email.kind, TEMPLATE_TAG.search(part), part[:400])
    hub = [e for e in emails if e.kind == "compliance_link"]
    assert any("Summit Builders" in e.body_text and "Compliance Hub" in e.body_text for e in hub)
    assert any("Summit Builders, Inc.'s Compliance Hub" in e.body_text for e in hub)  # the sign-in link's words
